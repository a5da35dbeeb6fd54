"""The manager's desk page and its actions, through HTTP as the browser uses them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.desk.conftest import approved_companies
from zbut.accounts.models import User
from zbut.bases.models import Company, CompanyPhone
from zbut.desk.errors import (
    MSG_CALLBACK_IN_THE_PAST,
    MSG_CLAIM_LOST,
    MSG_LEAD_CONTACT_NEEDED,
    MSG_NO_ACTIVE_PHASE,
    MSG_NOTE_TOO_LONG,
    MSG_PHONE_NEEDED,
    MSG_UNKNOWN_OUTCOME,
)
from zbut.desk.models import QueueItem
from zbut.desk.queue import claim_next
from zbut.desk.views import MSG_NOTHING_ELSE_DUE
from zbut.history.models import Event, EventKind
from zbut.projects.services import assign_manager

SLUG = "a-system"
# The desk page: session, user, membership, project (4); the claim with its checks, release and
# sync, a query per bucket of the queue until one gives an item (≈ 10); counters, phases,
# company, phones, e-mails, history (≈ 7); the header (1).
QUERY_BUDGET = 23


def signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def desk_url(slug: str = SLUG) -> str:
    return reverse("desk:desk", args=[slug])


def outcome_url(company_id: int, code: str, slug: str = SLUG) -> str:
    return reverse("desk:outcome", args=[slug, company_id, code])


def attempt_url(company_id: int, code: str, slug: str = SLUG) -> str:
    return reverse("desk:attempt", args=[slug, company_id, code])


def shows(response, text: object) -> bool:
    return escape(str(text)) in response.content.decode()


def held(desk) -> QueueItem:
    return QueueItem.objects.get(project=desk.project_a, claimed_by=desk.manager)


def events(kind: str) -> int:
    return Event.objects.filter(kind=kind).count()


def test_opening_the_desk_claims_the_next_company_and_shows_all_for_the_call(desk) -> None:
    desk.project_a.script = "Добрий день! Мене звати …"
    desk.project_a.offer_summary = "LED-світильники зі знижкою 12 %"
    desk.project_a.save()
    response = signed_in(desk.manager).get(desk_url())
    assert response.status_code == 200
    company = desk.companies[0]
    assert held(desk).company_id == company.pk
    html = response.content.decode()
    assert "ТОВ Компанія 0" in html
    assert 'href="tel:+380671000000"' in html and 'href="tel:+380442000000"' in html
    assert "info0@firma.ua" in html and "Петренко Олег" in html
    assert "Добрий день! Мене звати" in html and "LED-світильники" in html
    for key in ("1", "7", "q", "w", "e", "r", "t", "y", "s", "n"):
        assert f'data-key="{key}"' in html


def test_reloading_the_desk_keeps_the_company_the_manager_holds(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    first = held(desk).company_id
    http.get(desk_url())
    assert held(desk).company_id == first


def test_the_history_is_shown_newest_first(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    http.post(reverse("desk:note", args=[SLUG, company_id]), {"note": "перша нотатка"})
    http.post(reverse("desk:note", args=[SLUG, company_id]), {"note": "друга нотатка"})
    html = http.get(desk_url()).content.decode()
    assert html.index("друга нотатка") < html.index("перша нотатка")


def test_an_outcome_is_recorded_once_and_a_double_submit_gets_a_clear_message(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    url = outcome_url(company_id, "not_interested")
    first = http.post(url, {"note": "Не актуально"}, follow=True)
    assert shows(first, "Збережено")
    assert held(desk).company_id != company_id  # the next company is on screen at once
    second = http.post(url, {"note": "Не актуально"}, follow=True)
    assert second.status_code == 200
    assert shows(second, MSG_CLAIM_LOST)
    assert Event.objects.filter(kind=EventKind.OUTCOME, company_id=company_id).count() == 1


@pytest.mark.parametrize("result", ["no_answer", "busy", "secretary", "switched_off", "voicemail"])
def test_each_attempt_key_records_one_attempt_and_loads_the_next_company(desk, result) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    response = http.post(attempt_url(company_id, result), {"note": ""}, follow=True)
    assert shows(response, "Спробу записано")
    assert Event.objects.get(kind=EventKind.ATTEMPT).payload["result"] == result
    assert held(desk).company_id != company_id
    http.post(attempt_url(company_id, result), follow=True)
    assert events(EventKind.ATTEMPT) == 1


def test_no_answer_on_a_due_callback_waits_for_the_retry_instead_of_coming_straight_back(
    desk,
) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    http.post(outcome_url(company_id, "callback"), {"callback_pick": "week"})
    QueueItem.objects.filter(pk=company_id).update(callback_at=timezone.now() - timedelta(hours=1))
    http.get(desk_url())
    assert held(desk).company_id == company_id  # the due callback comes first
    http.post(attempt_url(company_id, "no_answer"))
    http.get(desk_url())
    assert held(desk).company_id != company_id


def test_callback_quick_pick_sets_the_day_in_a_week(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    http.post(outcome_url(company_id, "callback"), {"callback_pick": "week"})
    company = Company.objects.get(pk=company_id)
    assert company.outcome == "callback"
    assert company.next_callback_on == timezone.localdate() + timedelta(days=7)


def test_callback_next_phase_pick_is_the_day_after_the_phase(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    http.post(outcome_url(company_id, "callback"), {"callback_pick": "next_phase"})
    assert Company.objects.get(pk=company_id).next_callback_on == (
        timezone.localdate() + timedelta(days=11)
    )


def test_a_callback_in_the_past_is_refused_and_nothing_is_recorded(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = http.post(
        outcome_url(company_id, "callback"), {"callback_on": yesterday}, follow=True
    )
    assert shows(response, MSG_CALLBACK_IN_THE_PAST)
    assert events(EventKind.OUTCOME) == 0
    assert held(desk).company_id == company_id  # still on screen, to be corrected


def test_what_the_manager_typed_survives_a_refused_action_once(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    typed = {"callback_on": yesterday, "note": "Директор у відпустці до п'ятниці"}
    response = http.post(outcome_url(company_id, "callback"), typed, follow=True)
    assert shows(response, MSG_CALLBACK_IN_THE_PAST)
    assert escape(typed["note"]) in response.content.decode()
    assert escape(typed["note"]) not in http.get(desk_url()).content.decode()  # shown once
    blank = {"contact_person": "Іван Коваль", "lead_phone": "", "lead_email": ""}
    response = http.post(outcome_url(company_id, "interested"), blank, follow=True)
    assert shows(response, MSG_LEAD_CONTACT_NEEDED)
    assert 'value="Іван Коваль"' in response.content.decode()


def test_a_note_of_100000_characters_is_refused_and_nothing_is_recorded(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    note = "х" * 100_000
    response = http.post(outcome_url(company_id, "warm"), {"note": note}, follow=True)
    assert shows(response, str(MSG_NOTE_TOO_LONG) % {"limit": 5000})
    response = http.post(reverse("desk:note", args=[SLUG, company_id]), {"note": note}, follow=True)
    assert shows(response, str(MSG_NOTE_TOO_LONG) % {"limit": 5000})
    assert not Event.objects.filter(kind__in=[EventKind.OUTCOME, EventKind.NOTE]).exists()


def test_a_wrong_number_without_the_phone_is_refused_and_with_it_marks_that_phone(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    response = http.post(attempt_url(company_id, "wrong_number"), follow=True)
    assert shows(response, MSG_PHONE_NEEDED)
    assert events(EventKind.ATTEMPT) == 0
    phone = CompanyPhone.objects.filter(company_id=company_id).first()
    http.post(attempt_url(company_id, "wrong_number"), {"phone_id": str(phone.pk)})
    phone.refresh_from_db()
    assert phone.is_bad
    assert events(EventKind.ATTEMPT) == 1


def test_with_one_good_phone_left_the_wrong_number_key_needs_no_question(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    bad, good = CompanyPhone.objects.filter(company_id=company_id).order_by("id")
    CompanyPhone.objects.filter(pk=bad.pk).update(is_bad=True)
    html = http.get(desk_url()).content.decode()
    assert f'name="phone_id" value="{good.pk}"' in html
    assert "недійсний" in html


def test_asked_to_call_back_in_an_hour_schedules_the_call(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    before = timezone.now()
    http.post(attempt_url(company_id, "call_back_at"), {"call_back_pick": "60"})
    item = QueueItem.objects.get(pk=company_id)
    assert before + timedelta(minutes=59) < item.callback_at < before + timedelta(minutes=61)


def test_interested_needs_a_contact_and_fires_the_transfer(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    blank = {"contact_person": "", "lead_phone": "", "lead_email": ""}
    response = http.post(outcome_url(company_id, "interested"), blank, follow=True)
    assert shows(response, MSG_LEAD_CONTACT_NEEDED)
    assert events(EventKind.OUTCOME) == 0
    lead = {"contact_person": "Іван Коваль", "lead_phone": "+380671000000", "lead_email": ""}
    http.post(outcome_url(company_id, "interested"), lead)
    transfer = Event.objects.get(kind=EventKind.TRANSFER)
    assert transfer.payload["contact_person"] == "Іван Коваль"


def test_an_unknown_outcome_in_the_address_is_a_message_not_a_crash(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    response = http.post(outcome_url(held(desk).company_id, "maybe"), follow=True)
    assert response.status_code == 200
    assert shows(response, MSG_UNKNOWN_OUTCOME)


def test_acting_on_a_company_another_manager_holds_is_refused(desk) -> None:
    assign_manager(project=desk.project_a, manager=desk.other_manager)
    theirs = claim_next(project=desk.project_a, manager=desk.other_manager)
    http = signed_in(desk.manager)
    response = http.post(outcome_url(theirs.company_id, "warm"), follow=True)
    assert shows(response, MSG_CLAIM_LOST)
    response = http.post(attempt_url(theirs.company_id, "busy"), follow=True)
    assert shows(response, MSG_CLAIM_LOST)
    assert not Event.objects.filter(kind__in=[EventKind.OUTCOME, EventKind.ATTEMPT]).exists()
    assert QueueItem.objects.get(pk=theirs.company_id).claimed_by == desk.other_manager


def test_skip_passes_the_company_back_and_takes_the_next(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    first = held(desk).company_id
    response = http.post(reverse("desk:skip", args=[SLUG]), follow=True)
    assert response.status_code == 200
    assert held(desk).company_id != first
    assert QueueItem.objects.get(pk=first).claimed_by is None


def test_skipping_the_only_due_company_says_so_and_keeps_it_on_screen(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    only = held(desk).company_id
    # Every other company is held by another manager for the next hour.
    QueueItem.objects.filter(project=desk.project_a).exclude(pk=only).update(
        claimed_by=desk.other_manager, claimed_until=timezone.now() + timedelta(hours=1)
    )
    response = http.post(reverse("desk:skip", args=[SLUG]), follow=True)
    assert shows(response, MSG_NOTHING_ELSE_DUE)
    assert not shows(response, "вона повернулася в чергу")
    assert held(desk).company_id == only

    http.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = http.post(reverse("desk:skip", args=[SLUG]), follow=True)
    assert shows(response, "No other company is due now")


def test_a_note_alone_keeps_the_company_on_screen(desk) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    response = http.post(
        reverse("desk:note", args=[SLUG, company_id]), {"note": "Перезвонить"}, follow=True
    )
    assert shows(response, "Нотатку збережено")
    assert held(desk).company_id == company_id
    assert events(EventKind.NOTE) == 1


def test_without_an_active_phase_the_manager_sees_why_the_queue_stopped(world) -> None:
    response = signed_in(world.manager).get(desk_url())
    assert response.status_code == 200
    assert shows(response, MSG_NO_ACTIVE_PHASE)
    assert 'id="desk-stopped"' in response.content.decode()


def test_when_nothing_is_due_the_desk_says_when_the_next_retry_is(desk) -> None:
    http = signed_in(desk.manager)
    for _ in desk.companies:
        http.get(desk_url())
        http.post(attempt_url(held(desk).company_id, "busy"))
    response = http.get(desk_url())
    html = response.content.decode()
    assert 'id="desk-empty"' in html
    assert "Найближча повторна спроба" in html


def test_coordinators_may_work_the_desk(desk) -> None:
    response = signed_in(desk.coordinator).get(desk_url())
    assert response.status_code == 200
    assert QueueItem.objects.filter(claimed_by=desk.coordinator).count() == 1


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "other_manager"])
def test_clients_and_unassigned_managers_get_404_on_every_desk_route(desk, who) -> None:
    http = signed_in(getattr(desk, who))
    company_id = desk.companies[0].pk
    assert http.get(desk_url()).status_code == 404
    assert http.post(reverse("desk:skip", args=[SLUG])).status_code == 404
    assert http.post(outcome_url(company_id, "warm")).status_code == 404
    assert http.post(attempt_url(company_id, "busy")).status_code == 404
    assert http.post(reverse("desk:note", args=[SLUG, company_id])).status_code == 404
    assert not QueueItem.objects.filter(claimed_by__isnull=False).exists()
    assert not Event.objects.filter(kind__in=[EventKind.OUTCOME, EventKind.ATTEMPT]).exists()


def test_a_company_of_another_project_is_not_reachable_through_this_desk(desk) -> None:
    stranger = approved_companies(desk.project_b, 1, start=500)[0]
    http = signed_in(desk.manager)
    response = http.post(reverse("desk:note", args=[SLUG, stranger.pk]), {"note": "x"})
    assert response.status_code == 404
    assert not Event.objects.filter(kind=EventKind.NOTE).exists()


def test_the_desk_page_query_count_does_not_grow_with_the_history(
    desk, django_assert_max_num_queries
) -> None:
    http = signed_in(desk.manager)
    http.get(desk_url())
    company_id = held(desk).company_id
    for i in range(30):
        http.post(reverse("desk:note", args=[SLUG, company_id]), {"note": f"нотатка {i}"})
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert http.get(desk_url()).status_code == 200
    # A fresh claim (release, claim, sync) stays within the same budget.
    http.post(attempt_url(company_id, "busy"))
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert http.get(desk_url()).status_code == 200
