"""Tenant isolation over every route (ARCHITECTURE.md invariant 1, issue 6 point 5).

The routes come from the URL resolver, so a route added tomorrow is tried too: each parameter
is filled with an object of client B (by the parameter's name), and each route is requested
with GET and POST by alice (owner of A), bob (viewer of A), a manager assigned only to A's
project, and anonymous — once with B's slug and once with A's own slug but B's object ids
(the classic forged-id case). Every answer must be 404, 401/403, 405 or a redirect to log in;
no body may carry B's names; nothing of B may change. Routes without parameters may answer
200 (one's own dashboard) but must not show B either. alice and bob also send their own API
token, so the API is tried as they would call it.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction
from django.core.cache import cache
from django.db.models import Model
from django.http import HttpResponseBase
from django.test import AsyncClient
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from tests.conftest import World
from zbut.accounts.models import Membership, User
from zbut.api.models import ApiToken
from zbut.api.services import create_api_token
from zbut.bases.drafts import CompanyDraft, PhoneDraft
from zbut.bases.models import BaseAgreement, BaseImport, Company
from zbut.bases.services import add_companies
from zbut.core.models import OutboxMessage
from zbut.handoff.models import LeadRecipient, WebhookEndpoint
from zbut.handoff.services import add_lead_recipient, add_webhook
from zbut.history.models import Event
from zbut.reports.models import ExportJob

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("tenant_isolation")]

# Routes left out, each with its reason. Everything else is tried automatically.
EXCLUDED_PREFIXES = {
    "admin/": "Django admin: staff only, no tenant scoping; covered by its own tests",
}
EXCLUDED_NAMES = {
    "healthz": "liveness probe, no data and no parameters",
    "set_language": "Django's i18n view: stores a language choice, no data",
    "login": "authentication form, no tenant data",
    "logout": "ends the session, no tenant data",
    "password_reset": "authentication flow, no tenant data",
    "password_reset_done": "authentication flow, no tenant data",
    "password_reset_confirm": "authentication flow: its parameters are a signed token",
    "password_reset_complete": "authentication flow, no tenant data",
}
# A forged id under one's own slug may be refused by post/redirect/get back to one's own page
# with an error message, only on these routes (the desk's keys answer so; the message is the
# same for an id that exists nowhere, so it tells nothing). The landing page is checked too.
REFUSED_BY_REDIRECT: dict[str, str] = {}
ALLOWED_STATUSES = {401, 403, 404, 405}
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
STREAM_READ_SECONDS = 2.0


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "p/<slug:slug>/c/<str:company_id>/"
    name: str
    callback: Callable[..., Any]

    @property
    def parameters(self) -> list[str]:
        return [match["name"] for match in PARAMETER.finditer(self.template)]

    def url(self, values: dict[str, str]) -> str:
        return "/" + PARAMETER.sub(lambda match: values[match["name"]], self.template)


def all_routes() -> Iterator[Route]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[Route]:
        for pattern in patterns:
            template = prefix + str(pattern.pattern)
            if any(template.startswith(p) for p in EXCLUDED_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, template)
                continue
            assert isinstance(pattern, URLPattern)
            if pattern.name in EXCLUDED_NAMES:
                continue
            assert isinstance(pattern.pattern, RoutePattern), (
                f"/{template} is a regex route: write it with path() or add it to EXCLUDED_*"
            )
            yield Route(template=template, name=pattern.name or "", callback=pattern.callback)

    return walk(get_resolver().url_patterns, "")


@dataclass
class Beta:
    """Client B's objects, one of each kind a route can name, and the texts that betray B."""

    ids: dict[str, str]
    secrets: list[str]


SECRET_COMPANY = "ТОВ Секретна Бета-Компанія"
SECRET_EMAIL = "sekret@beta-secret.ua"
SECRET_PHONE = "+380671234567"


def build_beta(world: World) -> Beta:
    (company,) = add_companies(
        project=world.project_b,
        drafts=[
            CompanyDraft(
                name=SECRET_COMPANY,
                phones=[PhoneDraft(e164=SECRET_PHONE)],
                emails=[SECRET_EMAIL],
            )
        ],
    )
    client, project = world.client_b, world.project_b
    base_import = BaseImport.objects.create(
        client=client,
        project=project,
        created_by=world.charlie,
        file_name="beta-secret.csv",
        stored_path="nowhere/beta-secret.csv",
    )
    agreement = BaseAgreement.objects.create(
        client=client, project=project, sent_by=world.other_manager, proposed=1
    )
    message = OutboxMessage.objects.create(
        client=client,
        project=project,
        company=company,
        kind="webhook.transfer",
        destination="webhook:beta",
        idempotency_key="beta-secret-1",
        payload={"company": SECRET_COMPANY},
    )
    endpoint, _secret = add_webhook(client=client, url="https://beta-secret.example/hook")
    recipient = add_lead_recipient(client=client, email="lead@beta-secret.ua")
    token, _key = create_api_token(membership=_membership(world.charlie), name="beta-secret")
    export = ExportJob.objects.create(
        client=client, project=project, requested_by=world.charlie, format="csv"
    )
    ids = {
        "slug": project.slug,
        "client_slug": client.slug,
        "company_id": company.pk,
        "import_id": base_import.pk,
        "agreement_id": agreement.pk,
        "message_id": message.pk,
        "endpoint_id": endpoint.pk,
        "recipient_id": recipient.pk,
        "membership_id": _membership(world.charlie).pk,
        "token_id": token.pk,
        "job_id": export.pk,
        # Not an id: a valid value, so only the tenancy check can refuse the request.
        "code": "interested",
    }
    secrets = [SECRET_COMPANY, SECRET_EMAIL, SECRET_PHONE, project.name, client.name]
    return Beta(ids={k: str(v) for k, v in ids.items()}, secrets=secrets)


def _membership(user: User) -> Membership:
    return Membership.objects.get(user=user)


def b_state(world: World) -> dict[str, Any]:
    """Everything of B a forged request could change."""
    client = world.client_b

    def rows(model: type[Model], *fields: str) -> list[tuple[Any, ...]]:
        return list(model.objects.filter(client=client).order_by("pk").values_list(*fields))

    return {
        "events": Event.objects.filter(client=client).count(),
        "companies": rows(Company, "pk", "outcome", "base_state", "contact_count", "agreement"),
        "imports": rows(BaseImport, "pk", "state", "mapping"),
        "agreements": rows(BaseAgreement, "pk", "state", "excluded", "approved"),
        "outbox": rows(OutboxMessage, "pk", "state", "attempts", "next_attempt_at"),
        "webhooks": rows(WebhookEndpoint, "pk", "active", "secret_encrypted"),
        "recipients": rows(LeadRecipient, "pk", "email"),
        "exports": rows(ExportJob, "pk", "state"),
        "tokens": list(
            ApiToken.objects.filter(membership__client=client).values_list("revoked_at")
        ),
        "memberships": list(Membership.objects.filter(client=client).values_list("pk", "role")),
    }


def a_values(world: World, ids: dict[str, str]) -> dict[str, str] | None:
    """B's object ids under A's own slugs: a forged id inside a project one may see."""
    forged = {**ids, "slug": world.project_a.slug, "client_slug": world.client_a.slug}
    return forged if forged != ids else None


class Visitor:
    """Requests as one actor; reads only the status and the first bytes of a stream."""

    def __init__(self, user: User | None, api_key: str | None) -> None:
        headers = {"Authorization": f"Token {api_key}"} if api_key else {}
        self.sync = HttpClient(headers=headers)
        self.async_ = AsyncClient(headers=headers)
        if user is not None:
            self.sync.force_login(user)
            self.async_.force_login(user)

    def request(self, route: Route, method: str, url: str) -> tuple[HttpResponseBase, str]:
        if iscoroutinefunction(route.callback):
            return async_to_sync(self._async_request)(method, url)
        response = getattr(self.sync, method)(url)
        return response, _body(response)

    async def _async_request(self, method: str, url: str) -> tuple[HttpResponseBase, str]:
        response = await getattr(self.async_, method)(url)
        if not response.streaming:
            return response, response.content.decode(errors="replace")
        chunks = aiter(response.streaming_content)
        try:
            first = await asyncio.wait_for(anext(chunks), timeout=STREAM_READ_SECONDS)
        except (TimeoutError, StopAsyncIteration):
            first = b""
        finally:
            await response.aclose() if hasattr(response, "aclose") else response.close()
        return response, first.decode(errors="replace")


def _body(response: HttpResponseBase) -> str:
    if response.streaming:  # a download: its first chunk is enough to see whose it is
        first = next(iter(response.streaming_content), b"")  # type: ignore[attr-defined]
        response.close()
        return first.decode(errors="replace")
    return response.content.decode(errors="replace")  # type: ignore[attr-defined]


def problems_of(
    response: HttpResponseBase, body: str, secrets: list[str], refusals: Refusals
) -> list[str]:
    found = []
    leaked = [s for s in secrets if s in body or json.dumps(s)[1:-1] in body]
    if leaked:
        found.append(f"shows {leaked}")
    status = response.status_code
    if status >= 500:
        found.append(f"answered {status}")
    elif refusals.strict and not _is_refusal(response, refusals):
        found.append(f"answered {status} (expected 404/401/403/405 or a redirect to log in)")
    return found


def _is_refusal(response: HttpResponseBase, refusals: Refusals) -> bool:
    if response.status_code in ALLOWED_STATUSES or _to_login(response):
        return True
    return bool(refusals.redirect_to) and _redirects_into(response, refusals.redirect_to)


@dataclass(frozen=True)
class Refusals:
    strict: bool  # the route names B's objects: only a refusal will do
    redirect_to: str = ""  # a URL prefix a refusal may redirect into (REFUSED_BY_REDIRECT)


def _redirects_into(response: HttpResponseBase, prefix: str) -> bool:
    return response.status_code in {302, 303} and response["Location"].startswith(prefix)


def _to_login(response: HttpResponseBase) -> bool:
    return response.status_code in {301, 302, 303} and response["Location"].startswith(
        reverse("login")
    )


ACTORS = ["alice", "bob", "manager", "anonymous"]


@pytest.mark.parametrize("actor", ACTORS)
def test_no_route_shows_or_changes_another_clients_data(world: World, actor: str):
    beta = build_beta(world)
    user = None if actor == "anonymous" else getattr(world, actor)
    api_key = None
    if actor in {"alice", "bob"}:
        api_key = create_api_token(membership=_membership(user), name="isolation")[1]
    visitor = Visitor(user, api_key)
    before = b_state(world)
    failures: list[str] = []
    routes = list(all_routes())
    for route in routes:
        unknown = [name for name in route.parameters if name not in beta.ids]
        assert not unknown, (
            f"/{route.template} ({route.name}) has parameter(s) {unknown}: add client B's object "
            f"for each to build_beta() in {__file__}"
        )
        strict = Refusals(strict=bool(route.parameters))
        attempts = [(route.url(beta.ids), strict)]
        forged = a_values(world, {n: beta.ids[n] for n in route.parameters})
        if route.parameters and forged is not None and set(route.parameters) - {"slug"}:
            own = f"/p/{world.project_a.slug}/" if route.template in REFUSED_BY_REDIRECT else ""
            attempts.append((route.url({**beta.ids, **forged}), Refusals(True, own)))
        for url, refusals in attempts:
            for method in ["get", "post"]:
                cache.clear()  # the API's rate limit must not hide an answer behind a 429
                response, body = visitor.request(route, method, url)
                if refusals.redirect_to and _redirects_into(response, refusals.redirect_to):
                    body += _body(visitor.sync.get(response["Location"]))
                for problem in problems_of(response, body, beta.secrets, refusals):
                    failures.append(f"{method.upper()} {url} as {actor}: {problem}")
    assert not failures, "\n".join(failures)
    assert b_state(world) == before, f"a request by {actor} changed client B's data"
    assert len(routes) > 40  # the walk found the project's routes, not an empty list


def test_the_walk_covers_the_api_the_stream_and_the_portal(world: World):
    templates = {route.template for route in all_routes()}
    assert "api/projects/<slug:slug>/events/" in templates
    assert "p/<slug:slug>/" in templates
    stream = [t for t in templates if t.endswith("/stream")]
    assert stream, "the Data Base ONLINE stream is not among the routes"


def test_the_exclusions_name_existing_routes(world: World):
    names = set()

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            else:
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    assert set(EXCLUDED_NAMES) <= names, "an excluded route no longer exists: drop it"


def test_client_b_itself_sees_what_the_others_may_not(world: World):
    """The control: the ids and names used above are real, so their absence means something."""
    beta = build_beta(world)
    browser = HttpClient()
    browser.force_login(world.charlie)
    page = browser.get(f"/p/{beta.ids['slug']}/")
    assert page.status_code == 200 and world.project_b.name in page.content.decode()
    key = create_api_token(membership=_membership(world.charlie), name="control")[1]
    companies = HttpClient(headers={"Authorization": f"Token {key}"}).get(
        f"/api/projects/{beta.ids['slug']}/companies/"
    )
    assert companies.status_code == 200 and SECRET_COMPANY in companies.content.decode()


@pytest.mark.parametrize("actor", ["alice", "bob"])
def test_a_client_token_on_another_clients_slug_is_404(world: World, actor: str):
    build_beta(world)
    key = create_api_token(membership=_membership(getattr(world, actor)), name="x")[1]
    api = HttpClient(headers={"Authorization": f"Token {key}"})
    for route in all_routes():
        if not route.template.startswith("api/") or "slug" not in route.parameters:
            continue
        response = api.get(route.url({"slug": world.project_b.slug}))
        assert response.status_code == 404, route.template
        assert response.json()["code"] == "not_found"
