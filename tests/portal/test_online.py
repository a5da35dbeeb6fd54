"""Data Base ONLINE's table: the seeds' columns, filters, keyset paging, bad input, tenancy."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.urls import reverse

from tests.conftest import World
from tests.desk.conftest import approved_companies
from tests.portal.online_helpers import call_next, open_today, worked_project
from zbut.accounts.models import User
from zbut.history.models import Event, EventKind
from zbut.portal import online
from zbut.portal.online import OnlineFilters
from zbut.portal.online_forms import DATE_RANGE_ERROR
from zbut.projects.services import assign_manager

pytestmark = pytest.mark.django_db


def get_online(user: User | None, slug: str = "a-system", query: str = "") -> HttpResponse:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http.get(reverse("online", args=[slug]) + query)


def row_ids(response: HttpResponse) -> list[int]:
    return [row.event_id for row in response.context["page"].rows]


def test_the_table_shows_the_seeds_columns_newest_activity_on_top(world: World) -> None:
    first, second, third = worked_project(world)
    response = get_online(world.alice)
    assert response.status_code == 200
    html = response.content.decode()
    for column in ("№", "Реакція", "Компанія", "Категорія", "Дата", "Примітки", "Контакти"):
        assert f">{column}</th>" in html
    rows = response.context["page"].rows
    assert [row.company_id for row in rows[:3]] == [third.pk, second.pk, first.pk]
    assert rows[0].kind == EventKind.ATTEMPT
    assert rows[1].outcome == "warm" and rows[1].colour == "#f77f00"
    assert "Просили КП на пошту" in rows[1].note
    assert "Петренко Олег" in rows[1].contacts
    assert any(contact.startswith("+38067") for contact in rows[1].contacts)
    assert "Потенційно зацікавлений" in html


def test_the_counters_count_todays_calls_and_outcomes(world: World) -> None:
    worked_project(world)
    counters = get_online(world.bob).context["page"].counters
    assert (counters.calls, counters.outcomes) == (3, 2)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?outcome=warm", {"warm"}),
        ("?outcome=not_interested", {"not_interested"}),
        ("?q=%D0%BD%D0%B0+%D0%BF%D0%BE%D1%88%D1%82%D1%83", {"warm"}),  # "на пошту"
    ],
)
def test_filters_narrow_the_rows(world: World, query: str, expected: set[str]) -> None:
    worked_project(world)
    rows = get_online(world.alice, query=query).context["page"].rows
    assert rows and {row.outcome for row in rows} == expected


def test_category_region_manager_phase_and_dates_filter(world: World) -> None:
    worked_project(world)
    by_category = get_online(world.alice, query="?category=Агро").context["page"].rows
    by_region = get_online(world.alice, query="?region=Львівська").context["page"].rows
    assert {r.category for r in by_category} == {"Агро"}
    assert {r.region for r in by_region} == {"Львівська"}
    everyone = len(get_online(world.alice).context["page"].rows)
    mine = get_online(world.alice, query=f"?manager={world.manager.pk}").context["page"].rows
    phase = get_online(world.alice, query="?phase=1").context["page"].rows
    assert len(mine) == everyone and len(phase) == everyone
    assert get_online(world.alice, query="?date_to=2001-01-01").context["page"].rows == []


@pytest.mark.parametrize(
    "query",
    [
        "?date_from=not-a-date",
        "?date_from=2026-02-31",
        "?date_from=2026-05-02&date_to=2026-05-01",
        "?category=Other%20client%27s%20category",
        "?manager=abc",
        "?phase=99",
        "?before=-5",
        "?before=99999999999999999999999",
        "?q=" + "x" * 500,
    ],
)
def test_bad_filters_give_a_form_error_not_a_500(world: World, query: str) -> None:
    worked_project(world)
    response = get_online(world.alice, query=query)
    assert response.status_code == 200
    assert response.context["page"] is None
    assert 'id="online-errors"' in response.content.decode()


def test_a_reversed_date_range_says_so(world: World) -> None:
    response = get_online(world.alice, query="?date_from=2026-05-02&date_to=2026-05-01")
    assert str(DATE_RANGE_ERROR) in response.content.decode()


def test_sql_and_html_in_the_search_are_only_text(world: World) -> None:
    worked_project(world)
    for search in ("' OR 1=1 --", "<script>alert(1)</script>", "%", "_"):
        response = get_online(world.alice, query="?" + _encode(q=search))
        assert response.status_code == 200
        assert response.context["page"].rows == []
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_keyset_pages_follow_each_other_without_gaps_and_end_empty(world: World) -> None:
    open_today(world)
    approved_companies(world.project_a, 60)
    for _ in range(55):
        call_next(world, None)
    first = get_online(world.alice)
    cursor = first.context["page"].next_before
    assert len(row_ids(first)) == 50 and cursor is not None
    second = get_online(world.alice, query=f"?before={cursor}")
    assert len(row_ids(second)) == 5 and second.context["page"].next_before is None
    expected = list(
        Event.objects.filter(project=world.project_a, kind=EventKind.ATTEMPT)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    assert row_ids(first) + row_ids(second) == expected
    past_the_end = get_online(world.alice, query="?before=1")
    assert past_the_end.status_code == 200 and past_the_end.context["page"].rows == []
    assert "Далі записів немає." in past_the_end.content.decode()


@pytest.mark.parametrize("filters", [OnlineFilters(), OnlineFilters(outcome="warm")])
def test_pages_walked_in_windows_hold_the_rows_of_the_plain_query(
    world: World, monkeypatch: pytest.MonkeyPatch, filters: OnlineFilters
) -> None:
    monkeypatch.setattr(online, "SCAN_WINDOWS", (2, 3))  # many windows over a short chain
    open_today(world)
    approved_companies(world.project_a, 12)
    for number in range(12):
        call_next(world, "warm" if number % 4 == 0 else None)
    plain = online._work_events(world.project_a, filters).order_by("-seq")
    expected = list(plain.values_list("id", flat=True))
    seen: list[int] = []
    before = 10**9  # past the head: the same as no cursor
    while before is not None:
        page = online.online_page(project=world.project_a, filters=filters, before=before, limit=2)
        seen += [row.event_id for row in page.rows]
        before = page.next_before
    assert seen == expected and len(expected) >= 3


def test_the_page_costs_the_same_queries_whatever_the_rows(
    world: World, django_assert_max_num_queries
) -> None:
    worked_project(world)
    http = HttpClient()
    http.force_login(world.alice)
    with django_assert_max_num_queries(16):
        http.get(reverse("online", args=["a-system"]))


@pytest.mark.parametrize("who", ["alice", "bob", "admin", "coordinator", "manager"])
def test_people_of_the_project_see_the_table(world: World, who: str) -> None:
    assert get_online(getattr(world, who)).status_code == 200


@pytest.mark.parametrize("who", ["charlie", "other_manager"])
def test_anyone_else_gets_404(world: World, who: str) -> None:
    worked_project(world)
    assert get_online(getattr(world, who)).status_code == 404
    assert get_online(world.alice, slug="b-system").status_code == 404
    assert get_online(world.alice, slug="no-such-project").status_code == 404


def test_a_manager_sees_a_project_once_assigned(world: World) -> None:
    assert get_online(world.other_manager).status_code == 404
    assign_manager(project=world.project_a, manager=world.other_manager)
    assert get_online(world.other_manager).status_code == 200


def test_anonymous_goes_to_login(world: World) -> None:
    response = get_online(None)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _encode(**params: str) -> str:
    from urllib.parse import urlencode

    return urlencode(params)
