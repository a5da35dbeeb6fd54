"""Attempts, outcomes, notes and processing cycles, as the desk records them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from zbut.bases.models import Company, CompanyPhone
from zbut.desk.errors import DeskError, DeskErrorCode
from zbut.desk.models import ExitReason, ProcessingCycle, QueueItem, QueueState
from zbut.desk.queue import claim_next
from zbut.desk.services import add_note, record_attempt, record_outcome
from zbut.history.audit import verify_chains
from zbut.history.models import Event, EventKind
from zbut.outreach.models import DoNotContact
from zbut.outreach.selectors import is_company_blocked

KYIV = ZoneInfo("Europe/Kyiv")


def _claim(desk):
    return claim_next(project=desk.project_a, manager=desk.manager)


def _outcome(desk, item, outcome, **kwargs):
    return record_outcome(project=desk.project_a, company_id=item.company_id,
                          manager=desk.manager, outcome=outcome, **kwargs)  # fmt: skip


def _attempt(desk, item, result, **kwargs):
    return record_attempt(project=desk.project_a, company_id=item.company_id,
                          manager=desk.manager, result=result, **kwargs)  # fmt: skip


def _tomorrow():
    return timezone.localdate() + timedelta(days=1)


def test_an_outcome_updates_the_company_and_records_one_event(desk):
    item = _claim(desk)
    company = _outcome(desk, item, "not_interested", note="Не актуально")
    assert (company.outcome, company.contact_count) == ("not_interested", 1)
    assert company.last_contact_at is not None
    event = Event.objects.get(kind=EventKind.OUTCOME, company=company)
    assert event.payload == {"outcome": "not_interested", "note": "Не актуально", "phase": 1,
                             "do_not_contact": True}  # fmt: skip
    assert QueueItem.objects.get(pk=item.pk).exit_reason == ExitReason.DECIDED
    assert verify_chains().is_intact


def test_hostile_and_not_interested_put_the_company_on_the_do_not_contact_list(desk):
    item = _claim(desk)
    company = _outcome(desk, item, "hostile", note="Грубо відмовили")
    assert is_company_blocked(company=company)
    blocked = set(DoNotContact.objects.filter(company=company).values_list("kind", "value"))
    assert ("phone", company.phones.first().e164) in blocked
    assert ("email", company.emails.first().address) in blocked


def test_a_blocked_companys_phones_are_never_called_in_the_clients_other_projects(desk):
    from tests.desk.conftest import approved_companies
    from zbut.desk.queue import sync_queue
    from zbut.projects.services import assign_manager, open_phase

    item = _claim(desk)
    company = _outcome(desk, item, "not_interested")
    twin = approved_companies(desk.project_a2, 1, start=0)[0]  # the same phones, elsewhere
    fresh = approved_companies(desk.project_a2, 1, start=70)[0]
    assert set(twin.phones.values_list("e164")) == set(company.phones.values_list("e164"))
    assign_manager(project=desk.project_a2, manager=desk.manager)
    open_phase(project=desk.project_a2, starts_on=timezone.localdate(), ends_on=_tomorrow())
    sync_queue(project=desk.project_a2)
    assert not QueueItem.objects.filter(company=twin).exists()
    assert QueueItem.objects.filter(company=fresh).exists()


def test_callback_needs_a_future_date(desk):
    item = _claim(desk)
    with pytest.raises(DeskError) as raised:
        _outcome(desk, item, "callback")
    assert raised.value.code == DeskErrorCode.CALLBACK_DATE_NEEDED
    with pytest.raises(DeskError) as raised:
        _outcome(desk, item, "callback", callback_on=timezone.localdate() - timedelta(days=1))
    assert raised.value.code == DeskErrorCode.CALLBACK_IN_THE_PAST
    assert not Event.objects.filter(kind=EventKind.OUTCOME).exists()


def test_a_callback_stays_in_a_system_projects_queue_for_its_day(desk):
    item = _claim(desk)
    company = _outcome(desk, item, "callback", callback_on=_tomorrow(), note="Після наради")
    assert company.next_callback_on == _tomorrow()
    queued = QueueItem.objects.get(pk=item.pk)
    assert queued.state == QueueState.QUEUED
    assert queued.callback_owner == desk.manager
    assert timezone.localtime(queued.callback_at).date() == _tomorrow()


def test_interested_needs_the_decision_maker_and_a_phone_or_email(desk):
    item = _claim(desk)
    with pytest.raises(DeskError) as raised:
        _outcome(desk, item, "interested", contact_person="Іван", note="Готові")
    assert raised.value.code == DeskErrorCode.LEAD_CONTACT_NEEDED
    with pytest.raises(DeskError) as raised:
        _outcome(desk, item, "interested", contact_person="Іван", lead_phone="12345")
    assert raised.value.code == DeskErrorCode.INVALID_PHONE


def test_interested_fires_a_transfer_for_the_hand_off(desk):
    item = _claim(desk)
    company = _outcome(desk, item, "interested", contact_person="Іван Гнатюк, директор",
                       lead_phone="050 111 22 33", note="Готові до зустрічі")  # fmt: skip
    transfer = Event.objects.get(kind=EventKind.TRANSFER, company=company)
    assert transfer.payload == {
        "status": "requested", "transfer": company.transfer.pk,
        "contact_person": "Іван Гнатюк, директор", "phone": "+380501112233", "email": "",
    }  # fmt: skip
    assert company.contact_person == "Іван Гнатюк, директор"
    assert company.phones.filter(e164="+380501112233").exists()


def test_changing_an_outcome_later_is_a_new_event(desk):
    item = _claim(desk)
    _outcome(desk, item, "callback", callback_on=_tomorrow())
    QueueItem.objects.filter(pk=item.pk).update(callback_at=timezone.now(), claimed_by=desk.manager)
    company = _outcome(desk, item, "warm", note="Вивчають КП")
    outcomes = Event.objects.filter(kind=EventKind.OUTCOME, company=company).order_by("seq")
    assert [e.payload["outcome"] for e in outcomes] == ["callback", "warm"]
    assert outcomes.last().payload["previous"] == "callback"
    assert company.contact_count == 2


def test_an_outcome_on_a_company_claimed_by_someone_else_is_refused(desk):
    from zbut.projects.services import assign_manager

    assign_manager(project=desk.project_a, manager=desk.other_manager)
    item = _claim(desk)
    with pytest.raises(DeskError) as raised:
        record_outcome(project=desk.project_a, company_id=item.company_id,
                       manager=desk.other_manager, outcome="warm")  # fmt: skip
    assert raised.value.code == DeskErrorCode.CLAIM_LOST


def test_a_double_submit_records_once(desk):
    item = _claim(desk)
    _outcome(desk, item, "mispositioned")
    with pytest.raises(DeskError) as raised:
        _outcome(desk, item, "mispositioned")
    assert raised.value.code == DeskErrorCode.CLAIM_LOST
    assert Event.objects.filter(kind=EventKind.OUTCOME).count() == 1
    assert Company.objects.get(pk=item.company_id).contact_count == 1


def test_a_note_of_100000_characters_is_refused_and_nothing_recorded(desk):
    item = _claim(desk)
    with pytest.raises(DeskError) as raised:
        _outcome(desk, item, "warm", note="а" * 100_000)
    assert raised.value.code == DeskErrorCode.NOTE_TOO_LONG
    assert not Event.objects.filter(kind=EventKind.OUTCOME).exists()


def test_failed_attempts_end_in_not_reached_after_the_maximum(desk):
    for attempt in range(5):
        item = _claim(desk)
        while item.company_id != desk.companies[0].pk:
            QueueItem.objects.filter(pk=item.pk).update(state="left", claimed_by=None)
            item = _claim(desk)
        _attempt(desk, item, "no_answer")
        QueueItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
        assert QueueItem.objects.get(pk=item.pk).attempts == attempt + 1
    final = QueueItem.objects.get(pk=item.pk)
    assert (final.state, final.exit_reason) == (QueueState.LEFT, ExitReason.NOT_REACHED)
    last = Event.objects.filter(kind=EventKind.ATTEMPT).order_by("-seq").first()
    assert last.payload["left_queue"] == "not_reached"


def test_a_wrong_number_marks_that_phone_bad_and_the_last_one_ends_the_queue(desk):
    item = _claim(desk)
    phones = list(CompanyPhone.objects.filter(company_id=item.company_id))
    _attempt(desk, item, "wrong_number", phone_id=phones[0].pk)
    assert CompanyPhone.objects.get(pk=phones[0].pk).is_bad
    assert QueueItem.objects.get(pk=item.pk).state == QueueState.QUEUED
    QueueItem.objects.filter(pk=item.pk).update(claimed_by=desk.manager)
    _attempt(desk, item, "not_in_service", phone_id=phones[1].pk)
    assert QueueItem.objects.get(pk=item.pk).exit_reason == ExitReason.NO_PHONES


def test_asked_to_call_back_at_a_time_makes_it_the_managers_callback(desk):
    item = _claim(desk)
    at = timezone.now() + timedelta(hours=3)
    _attempt(desk, item, "call_back_at", call_back_at=at, note="Секретар: після 15:00")
    queued = QueueItem.objects.get(pk=item.pk)
    assert (queued.callback_at, queued.callback_owner) == (at, desk.manager)


def test_a_processing_cycle_counts_once_per_company_per_kyiv_day(desk, monkeypatch):
    item = _claim(desk)
    late_evening = datetime(2026, 11, 27, 23, 50, tzinfo=KYIV)
    monkeypatch.setattr("zbut.desk.services.timezone.now", lambda: late_evening)
    _outcome(desk, item, "callback", callback_on=late_evening.date() + timedelta(days=2))
    QueueItem.objects.filter(pk=item.pk).update(claimed_by=desk.manager)
    _outcome(desk, item, "warm")
    assert ProcessingCycle.objects.count() == 1
    after_midnight = datetime(2026, 11, 28, 0, 10, tzinfo=KYIV)  # 22:10 UTC on the 27th
    monkeypatch.setattr("zbut.desk.services.timezone.now", lambda: after_midnight)
    add_note(project=desk.project_a, company_id=item.company_id, manager=desk.manager,
             text="Узгодили зустріч")  # fmt: skip
    days = sorted(ProcessingCycle.objects.values_list("day", flat=True))
    assert [d.isoformat() for d in days] == ["2026-11-27", "2026-11-28"]


def test_a_note_on_a_company_that_is_no_lead_counts_no_cycle(desk):
    add_note(project=desk.project_a, company_id=desk.companies[0].pk, manager=desk.manager,
             text="Уточнити ОПР")  # fmt: skip
    assert not ProcessingCycle.objects.exists()
    assert Event.objects.filter(kind=EventKind.NOTE).count() == 1
