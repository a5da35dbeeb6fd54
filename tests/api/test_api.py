"""The read-only REST API: tokens, tenancy, filters, the events cursor, limits and the schema."""

from __future__ import annotations

import json
import re
import socket
from datetime import timedelta
from uuid import uuid4

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client as HttpClient
from django.test.signals import clear_cache_handlers
from django.utils import timezone
from drf_spectacular.validation import validate_schema

from tests.conftest import World
from zbut.accounts.models import Membership
from zbut.api.models import ApiToken
from zbut.api.services import create_api_token, hash_key, revoke_api_token
from zbut.bases.drafts import CompanyDraft, PhoneDraft
from zbut.bases.models import Company
from zbut.bases.services import add_companies
from zbut.core.env import cache_settings
from zbut.core.errors import ZbutError
from zbut.history.models import Event, EventKind
from zbut.history.services import record_event
from zbut.projects.models import Project

pytestmark = pytest.mark.django_db


def token_for(user, name: str = "crm") -> str:
    membership = Membership.objects.get(user=user, client__isnull=False)
    return create_api_token(membership=membership, name=name)[1]


def api(key: str | None = None) -> HttpClient:
    headers = {"Authorization": f"Token {key}"} if key else {}
    return HttpClient(headers=headers)


def add(project: Project, *names: str) -> list[Company]:
    drafts = [
        CompanyDraft(
            name=name,
            phones=[PhoneDraft(e164=f"+38067000{index:04d}")],
            emails=[f"office{index}@example.ua"],
        )
        for index, name in enumerate(names)
    ]
    return add_companies(project=project, drafts=drafts)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def test_a_token_is_stored_only_as_a_hash_with_a_visible_prefix(world: World):
    membership = Membership.objects.get(user=world.alice)
    token, raw_key = create_api_token(membership=membership, name="CRM")
    assert raw_key.startswith(token.prefix) and len(raw_key) > 40
    assert token.key_hash == hash_key(raw_key) and raw_key not in token.key_hash
    assert token.user == world.alice


def test_an_agency_membership_gets_no_token(world: World):
    with pytest.raises(ZbutError) as raised:
        create_api_token(membership=Membership.objects.get(user=world.manager), name="x")
    assert raised.value.code == "agency_membership"


@pytest.mark.parametrize(
    "header",
    [None, "Token nope", "Token", "Token a b", "Bearer whatever", "Token \u00e9\u00e9"],
)
def test_a_missing_or_wrong_token_is_401_json(world: World, header):
    headers = {"Authorization": header} if header else {}
    response = HttpClient(headers=headers).get("/api/projects/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    body = response.json()
    assert body["code"] in {"not_authenticated", "authentication_failed"}
    assert body["message_uk"] and body["message_en"]


def test_a_revoked_token_is_401(world: World):
    key = token_for(world.alice)
    assert api(key).get("/api/projects/").status_code == 200
    revoke_api_token(token=ApiToken.objects.get(key_hash=hash_key(key)))
    response = api(key).get("/api/projects/")
    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")


def test_a_portal_session_does_not_open_the_api(world: World):
    browser = HttpClient()
    browser.force_login(world.alice)
    assert browser.get("/api/projects/").status_code == 401


def test_projects_lists_only_the_tokens_client(world: World):
    response = api(token_for(world.alice)).get("/api/projects/")
    assert response.status_code == 200
    slugs = {project["slug"] for project in response.json()["results"]}
    assert slugs == {"a-system", "a-pilot"}
    token = ApiToken.objects.get()
    assert token.last_used_at is not None


def test_another_clients_project_is_404_json(world: World):
    add(world.project_b, "ТОВ Таємна Бета")
    key = token_for(world.alice)
    for path in ["/api/projects/b-system/companies/", "/api/projects/b-system/events/"]:
        response = api(key).get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert "Таємна" not in response.content.decode()


def test_companies_carry_outcome_contacts_phones_and_emails(world: World):
    first, _second = add(world.project_a, "ТОВ Перша", "ТОВ Друга")
    moment = timezone.now().replace(microsecond=0)
    Company.objects.filter(pk=first.pk).update(
        outcome="interested", contact_count=2, last_contact_at=moment
    )
    response = api(token_for(world.alice)).get("/api/projects/a-system/companies/")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()["results"]}
    assert rows["ТОВ Перша"]["outcome"] == "interested"
    assert rows["ТОВ Перша"]["outcome_label"]
    assert rows["ТОВ Перша"]["contact_count"] == 2
    assert rows["ТОВ Перша"]["last_contact_at"] is not None
    assert rows["ТОВ Перша"]["phones"][0]["e164"] == "+380670000000"
    assert rows["ТОВ Друга"]["emails"] == ["office1@example.ua"]
    assert rows["ТОВ Друга"]["outcome"] == ""


def test_companies_filter_by_outcome_and_updated_since(world: World):
    first, _second, third = add(world.project_a, "ТОВ Один", "ТОВ Два", "ТОВ Три")
    Company.objects.filter(pk=first.pk).update(outcome="warm")
    later = timezone.now() + timedelta(days=1)
    with transaction.atomic():
        record_event(kind=EventKind.NOTE, project=world.project_a, company=third, occurred_at=later)
    client = api(token_for(world.alice))
    base = "/api/projects/a-system/companies/"

    def names(query: str) -> set[str]:
        response = client.get(base + query)
        assert response.status_code == 200, response.content
        return {row["name"] for row in response.json()["results"]}

    assert names("?outcome=warm") == {"ТОВ Один"}
    assert names("?outcome=none") == {"ТОВ Два", "ТОВ Три"}
    since = (later - timedelta(minutes=1)).isoformat()
    assert names("?" + "&".join([f"updated_since={since.replace('+', '%2B')}"])) == {"ТОВ Три"}


@pytest.mark.parametrize(
    "query",
    [
        "?outcome=bogus",
        "?outcome=%27%20OR%201%3D1--",
        "?updated_since=2024-13-45",
        "?updated_since=<script>",
        "?page_size=0",
        "?page_size=99999999999999999999",
    ],
)
def test_garbage_company_filters_are_400_json(world: World, query):
    response = api(token_for(world.alice)).get("/api/projects/a-system/companies/" + query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    "since", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00%2B14:00", "2024-02-29"]
)
def test_extreme_dates_are_answered_without_a_crash(world: World, since):
    response = api(token_for(world.alice)).get(
        f"/api/projects/a-system/companies/?updated_since={since}"
    )
    assert response.status_code in {200, 400}


def test_companies_page_with_a_cursor_and_a_bad_cursor_is_400(world: World):
    add(world.project_a, *[f"ТОВ Номер {n}" for n in range(5)])
    client = api(token_for(world.alice))
    first = client.get("/api/projects/a-system/companies/?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    assert {r["id"] for r in second["results"]}.isdisjoint({r["id"] for r in first["results"]})
    for cursor in ["garbage", "%27%3B--", "bz0tMQ%3D%3D"]:
        response = client.get(f"/api/projects/a-system/companies/?cursor={cursor}")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_cursor"


def test_events_come_after_the_cursor_oldest_first_and_limited(world: World):
    add(world.project_a, *[f"ТОВ Подія {n}" for n in range(6)])
    add(world.project_b, "ТОВ Чужа")
    ids = list(
        Event.objects.filter(project=world.project_a).order_by("id").values_list("id", flat=True)
    )
    client = api(token_for(world.alice))
    page = client.get(f"/api/projects/a-system/events/?after={ids[1]}&limit=3").json()
    assert [event["id"] for event in page["results"]] == ids[2:5]
    assert page["next_after"] == ids[4] and page["next"]
    seen, next_url = [event["id"] for event in page["results"]], page["next"]
    while next_url:
        rest = client.get(next_url).json()
        seen += [event["id"] for event in rest["results"]]
        next_url = rest["next"]
    assert seen == ids[2:]
    assert Event.objects.get(pk=seen[-1]).kind == EventKind.COMPANY_ADDED
    empty = client.get(f"/api/projects/a-system/events/?after={ids[-1]}").json()
    assert empty["results"] == [] and empty["next_after"] == ids[-1]


@pytest.mark.parametrize(
    "query",
    ["?after=abc", "?after=-1", "?after=99999999999999999999999", "?limit=501", "?limit=0"],
)
def test_a_bad_events_cursor_or_limit_is_400(world: World, query):
    response = api(token_for(world.alice)).get("/api/projects/a-system/events/" + query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("kind", ["file", "redis"])
def test_the_rate_limit_is_shared_by_every_web_process(world: World, settings, tmp_path, kind):
    """The count lives in the shared cache: a fresh connection (another process) sees it."""
    if kind == "redis" and not redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    url = "redis://127.0.0.1:6379/13" if kind == "redis" else ""  # a database of its own
    settings.CACHES = {
        "default": {**cache_settings(url, default_dir=tmp_path), "KEY_PREFIX": uuid4().hex}
    }
    settings.ZBUT_API_RATE = "2/min"
    key = token_for(world.alice)
    try:
        assert [api(key).get("/api/projects/").status_code for _ in range(2)] == [200, 200]
        clear_cache_handlers(setting="CACHES")  # what another process would connect with
        assert api(key).get("/api/projects/").status_code == 429
    finally:
        cache.clear()


def test_the_api_is_read_only(world: World):
    response = api(token_for(world.alice)).post("/api/projects/", {})
    assert (response.status_code, response.json()["code"]) == (405, "method_not_allowed")


def test_each_token_has_its_own_rate_limit(world: World, settings):
    settings.ZBUT_API_RATE = "2/min"
    first, second = token_for(world.alice, "one"), token_for(world.alice, "two")
    statuses = [api(first).get("/api/projects/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = api(first).get("/api/projects/")
    assert limited.json()["code"] == "throttled" and "Retry-After" in limited
    assert api(second).get("/api/projects/").status_code == 200


def test_the_schema_is_valid_openapi_with_the_endpoints(world: World):
    response = HttpClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert set(schema["paths"]) == {
        "/api/projects/",
        "/api/projects/{slug}/companies/",
        "/api/projects/{slug}/events/",
    }
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(world: World):
    page = HttpClient().get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/api/schema/" in html
    # Nothing from another host (a CDN): every script and stylesheet is ours. (Not a search
    # for "cdn": the page's random CSRF token may hold those letters.)
    assert re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", html) == []


def test_the_command_prints_a_key_that_works(world: World, capsys):
    call_command("create_api_token", "alice@a.ua", "--name", "CRM")
    key = capsys.readouterr().out.strip()
    assert api(key).get("/api/projects/").status_code == 200
    call_command("create_api_token", "ALICE@a.ua", "--client", "client-a")
    assert ApiToken.objects.count() == 2


@pytest.mark.parametrize(
    "args",
    [
        ["nobody@a.ua"],
        ["alice@a.ua", "--client", "client-b"],
        ["manager@agency.ua"],
        ["alice@a.ua", "--name", "  "],
    ],
)
def test_the_command_refuses_bad_input_with_exit_2(world: World, args):
    with pytest.raises(CommandError) as raised:
        call_command("create_api_token", *args)
    assert raised.value.returncode == 2
    assert "\n" not in str(raised.value)
    assert not ApiToken.objects.exists()


def test_the_token_page_is_for_the_client_owner_only(world: World):
    for user in [world.bob, world.manager, world.admin, world.charlie]:
        browser = HttpClient()
        browser.force_login(user)
        if user == world.charlie:
            continue
        assert browser.get("/api/tokens/").status_code == 404
        assert browser.post("/api/tokens/", {"name": "x"}).status_code == 404
    assert not ApiToken.objects.exists()
    anonymous = HttpClient().get("/api/tokens/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_owner_makes_a_token_sees_the_key_once_and_revokes_it(world: World):
    browser = HttpClient()
    browser.force_login(world.alice)
    page = browser.post("/api/tokens/", {"name": "Наша CRM"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    key = page.context["new_key"]
    assert key in page.content.decode()
    token = ApiToken.objects.get()
    listing = browser.get("/api/tokens/").content.decode()
    assert "Наша CRM" in listing and key not in listing
    assert api(key).get("/api/projects/").status_code == 200
    done = browser.post(f"/api/tokens/{token.pk}/revoke/")
    assert done.status_code == 302
    assert api(key).get("/api/projects/").status_code == 401


def test_the_owner_cannot_revoke_another_clients_token(world: World):
    key = token_for(world.charlie)
    token = ApiToken.objects.get()
    browser = HttpClient()
    browser.force_login(world.alice)
    assert browser.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    assert browser.get(f"/api/tokens/{token.pk}/revoke/").status_code == 405
    assert api(key).get("/api/projects/").status_code == 200
