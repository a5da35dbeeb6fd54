"""The coordinator's view of a project's desk: the team, the pace, the norms, the queue, and
the levers (next phase, priorities)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.desk.conftest import approved_companies
from zbut.accounts.models import User
from zbut.desk.errors import MSG_NO_ACTIVE_PHASE
from zbut.desk.models import Priority, QueueItem
from zbut.desk.priorities import set_priority
from zbut.desk.queue import claim_next, sync_queue
from zbut.desk.services import record_attempt, record_outcome
from zbut.desk.team import queue_buckets
from zbut.projects.models import Phase
from zbut.projects.services import assign_manager, open_phase

SLUG = "a-system"


def signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def team_url(slug: str = SLUG) -> str:
    return reverse("desk:team", args=[slug])


def work(desk, outcome: str = "", result: str = "", manager: User | None = None) -> int:
    manager = manager or desk.manager
    item = claim_next(project=desk.project_a, manager=manager)
    if outcome:
        record_outcome(
            project=desk.project_a, company_id=item.company_id, manager=manager, outcome=outcome
        )
    if result:
        record_attempt(
            project=desk.project_a, company_id=item.company_id, manager=manager, result=result
        )
    return item.company_id


def test_the_coordinator_sees_who_is_online_and_on_which_company(desk) -> None:
    assign_manager(project=desk.project_a, manager=desk.other_manager)
    work(desk, outcome="not_interested")
    held = claim_next(project=desk.project_a, manager=desk.manager)
    response = signed_in(desk.coordinator).get(team_url())
    assert response.status_code == 200
    board = {row.name: row for row in response.context["board"]}
    mine = board[desk.manager.get_full_name()]
    assert mine.is_online and mine.company == str(held.company)
    assert (mine.calls, mine.outcomes) == (1, 1)
    assert not board[desk.other_manager.get_full_name()].is_online
    assert escape(str(held.company)) in response.content.decode()


def test_calls_and_outcomes_per_hour_are_charted_in_kyiv_hours(desk) -> None:
    work(desk, outcome="warm")
    work(desk, result="busy")
    response = signed_in(desk.coordinator).get(team_url())
    chart = response.context["hourly_chart"]
    assert chart["type"] == "stacked"
    totals = {ds["label"]: sum(ds["data"]) for ds in chart["datasets"]}
    assert totals["Спроби без результату"] == 1
    assert totals["Потенційно зацікавлений (теплий)"] == 1
    hour = timezone.localtime().strftime("%H:00")
    assert hour in chart["labels"]
    assert 'data-chart="hourly-chart"' in response.content.decode()
    assert json.dumps(chart["labels"][0]) in response.content.decode()


def test_the_phase_distribution_highlights_shares_outside_the_norm(desk) -> None:
    work(desk, outcome="hostile")
    response = signed_in(desk.coordinator).get(team_url())
    shares = {share.outcome.value: share for share in response.context["distribution"]}
    assert shares["hostile"].is_outside_norm
    assert 'class="is-outside"' in response.content.decode()


def test_cycles_used_against_contracted_and_the_queue_by_bucket(desk) -> None:
    desk.project_a.contracted_cycles = 250
    desk.project_a.save()
    work(desk, outcome="not_interested")
    work(desk, result="no_answer")
    response = signed_in(desk.coordinator).get(team_url())
    assert (response.context["total_cycles"], response.context["phase_cycles"]) == (1, 1)
    assert "1 / 250" in response.content.decode()
    buckets = response.context["buckets"]
    assert (buckets.never_reached, buckets.waiting, buckets.left) == (3, 1, 1)
    QueueItem.objects.filter(attempts=1).update(next_attempt_at=timezone.now())
    assert queue_buckets(project=desk.project_a).retries_due == 1


def test_a_due_callback_counts_as_due_and_a_future_one_as_waiting(desk) -> None:
    item = claim_next(project=desk.project_a, manager=desk.manager)
    record_outcome(
        project=desk.project_a,
        company_id=item.company_id,
        manager=desk.manager,
        outcome="callback",
        callback_on=timezone.localdate() + timedelta(days=2),
    )
    assert queue_buckets(project=desk.project_a).waiting == 1
    QueueItem.objects.filter(pk=item.company_id).update(callback_at=timezone.now())
    assert queue_buckets(project=desk.project_a).callbacks_due == 1


def test_the_coordinator_sees_why_the_queue_stopped(world) -> None:
    response = signed_in(world.coordinator).get(team_url())
    assert response.status_code == 200
    assert escape(str(MSG_NO_ACTIVE_PHASE)) in response.content.decode()


def test_opening_the_next_phase_from_the_view(desk) -> None:
    today = timezone.localdate()
    data = {"starts_on": today.isoformat(), "ends_on": (today + timedelta(days=6)).isoformat()}
    response = signed_in(desk.coordinator).post(
        reverse("desk:open_phase", args=[SLUG]), data, follow=True
    )
    assert escape("Відкрито фазу 2.") in response.content.decode()
    assert Phase.objects.get(project=desk.project_a, state="active").number == 2


def test_the_coordinator_plans_the_next_phase_ahead(desk) -> None:
    today = timezone.localdate()
    starts = today + timedelta(days=14)
    data = {"starts_on": starts.isoformat(), "ends_on": (starts + timedelta(days=6)).isoformat()}
    http = signed_in(desk.coordinator)
    response = http.post(reverse("desk:plan_phase", args=[SLUG]), data, follow=True)
    page = response.content.decode()
    assert escape("Заплановано фазу 2.") in page
    assert f"Фаза 2 запланована: {starts:%d.%m.%Y}" in page
    assert Phase.objects.get(project=desk.project_a, state="active").number == 1
    bad = http.post(reverse("desk:plan_phase", args=[SLUG]), {"starts_on": "вчора"}, follow=True)
    assert "Вкажіть дати початку й кінця фази." in bad.content.decode()
    assert Phase.objects.filter(project=desk.project_a).count() == 2


def test_a_pilot_refuses_a_third_phase_with_a_message(world) -> None:
    today = timezone.localdate()
    for _ in range(2):
        open_phase(project=world.project_a2, starts_on=today, ends_on=today)
    data = {"starts_on": today.isoformat(), "ends_on": today.isoformat()}
    response = signed_in(world.coordinator).post(
        reverse("desk:open_phase", args=["a-pilot"]), data, follow=True
    )
    assert "щонайбільше 2 фази" in response.content.decode()
    assert Phase.objects.filter(project=world.project_a2).count() == 2


def test_bad_phase_dates_are_a_message(desk) -> None:
    response = signed_in(desk.coordinator).post(
        reverse("desk:open_phase", args=[SLUG]), {"starts_on": "вчора"}, follow=True
    )
    assert "Вкажіть дати" in response.content.decode()
    assert Phase.objects.filter(project=desk.project_a).count() == 1


def test_a_priority_reweighs_the_waiting_queue_at_once(desk) -> None:
    approved_companies(desk.project_a, 2, category="Елеватори", region="Полтавська", start=100)
    sync_queue(project=desk.project_a)
    http = signed_in(desk.coordinator)
    http.post(reverse("desk:priority", args=[SLUG]), {"category": "Елеватори", "weight": "50"})
    weights = dict(QueueItem.objects.values_list("company__category", "priority").distinct())
    assert weights == {"Елеватори": 50, "": 0}
    item = claim_next(project=desk.project_a, manager=desk.manager)
    assert item.company.category == "Елеватори"
    http.post(
        reverse("desk:priority", args=[SLUG]),
        {"category": "Елеватори", "region": "Полтавська", "weight": "-5"},
    )
    assert set(
        QueueItem.objects.filter(company__category="Елеватори").values_list("priority", flat=True)
    ) == {-5}
    http.post(
        reverse("desk:priority", args=[SLUG]),
        {"category": "Елеватори", "region": "Полтавська", "weight": "0"},
    )
    assert set(
        QueueItem.objects.filter(company__category="Елеватори").values_list("priority", flat=True)
    ) == {50}
    assert Priority.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"category": "", "region": "", "weight": "5"}, "Вкажіть категорію"),
        ({"category": "Склади", "weight": "1000"}, "від -100 до 100"),
        ({"category": "Склади", "weight": "багато"}, "від -100 до 100"),
    ],
)
def test_a_bad_priority_is_a_message_and_saves_nothing(desk, data, text) -> None:
    response = signed_in(desk.coordinator).post(
        reverse("desk:priority", args=[SLUG]), data, follow=True
    )
    assert text in response.content.decode()
    assert not Priority.objects.exists()


def test_set_priority_keeps_the_rule_once_per_scope(desk) -> None:
    for weight in (5, 7):
        set_priority(
            project=desk.project_a,
            category="Склади",
            region="",
            weight=weight,
            actor=desk.coordinator,
        )
    assert list(Priority.objects.values_list("weight", flat=True)) == [7]


@pytest.mark.parametrize("who", ["manager", "alice", "bob", "charlie", "other_manager"])
def test_only_coordinators_and_admins_see_the_team_view(desk, who) -> None:
    http = signed_in(getattr(desk, who))
    assert http.get(team_url()).status_code == 404
    assert (
        http.post(
            reverse("desk:priority", args=[SLUG]), {"category": "x", "weight": "5"}
        ).status_code
        == 404
    )
    assert http.post(reverse("desk:open_phase", args=[SLUG]), {}).status_code == 404
    assert not Priority.objects.exists()
    assert signed_in(desk.admin).get(team_url()).status_code == 200


def test_the_project_page_and_the_managers_dashboard_link_to_the_desk(desk) -> None:
    html = signed_in(desk.coordinator).get(reverse("project_detail", args=[SLUG])).content
    assert reverse("desk:desk", args=[SLUG]).encode() in html
    assert reverse("desk:team", args=[SLUG]).encode() in html
    html = signed_in(desk.manager).get(reverse("dashboard")).content
    assert reverse("desk:desk", args=[SLUG]).encode() in html
    assert reverse("desk:team", args=[SLUG]).encode() not in html
