"""The manager's actions on a claimed company: attempts, outcomes, notes.

Each is one transaction that checks the claim (and locks the queue row), changes the queue and
the company's derived state, counts the processing cycle and records the event.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zbut.accounts.models import User
from zbut.bases.emails import parse_emails
from zbut.bases.history_lines import describe
from zbut.bases.models import Company, CompanyEmail, CompanyPhone
from zbut.bases.outcomes import DO_NOT_CONTACT_OUTCOMES, Outcome
from zbut.bases.phones import parse_phones
from zbut.desk.attempts import AttemptResult
from zbut.desk.errors import (
    MAX_NOTE_LENGTH,
    MSG_CALLBACK_DATE_NEEDED,
    MSG_CALLBACK_IN_THE_PAST,
    MSG_CLAIM_LOST,
    MSG_INVALID_EMAIL,
    MSG_INVALID_PHONE,
    MSG_LEAD_CONTACT_NEEDED,
    MSG_NOT_IN_QUEUE,
    MSG_NOTE_TOO_LONG,
    MSG_PHONE_NEEDED,
    MSG_UNKNOWN_OUTCOME,
    MSG_UNKNOWN_RESULT,
    DeskErrorCode,
    desk_error,
)
from zbut.desk.models import ExitReason, ProcessingCycle, QueueItem, QueueState
from zbut.desk.queue import check_may_work, rules_of
from zbut.desk.rules import BAD_NUMBER_RESULTS, callback_moment, kyiv_day, retry_delay
from zbut.handoff.services import forward_to_lead, request_transfer
from zbut.history.models import EventKind
from zbut.history.services import record_event
from zbut.outreach.services import block_company
from zbut.projects.models import Project, ProjectKind
from zbut.projects.selectors import current_phase

LEAD_OUTCOMES = frozenset({Outcome.INTERESTED, Outcome.WARM})


def check_note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise desk_error(DeskErrorCode.NOTE_TOO_LONG, MSG_NOTE_TOO_LONG, limit=MAX_NOTE_LENGTH)
    return note


def check_claim_is_mine(*, project: Project, company_id: int, manager: User) -> QueueItem:
    """The manager's claimed queue item, row-locked until the transaction ends.

    A claim that expired is still honoured while nobody else has taken the company.
    """
    item = (
        QueueItem.objects.select_for_update()
        .select_related("company")
        .filter(project=project, company_id=company_id)
        .first()
    )
    if item is None:
        raise desk_error(DeskErrorCode.NOT_IN_QUEUE, MSG_NOT_IN_QUEUE)
    if item.claimed_by_id != manager.pk or item.state != QueueState.QUEUED:
        raise desk_error(DeskErrorCode.CLAIM_LOST, MSG_CLAIM_LOST)
    return item


@transaction.atomic(durable=True)
def record_attempt(
    *,
    project: Project,
    company_id: int,
    manager: User,
    result: str,
    note: str = "",
    phone_id: int | None = None,
    call_back_at: datetime | None = None,
) -> QueueItem:
    """A call that reached no decision: schedule the retry, or let the company leave."""
    if result not in AttemptResult.values:
        raise desk_error(DeskErrorCode.UNKNOWN_RESULT, MSG_UNKNOWN_RESULT)
    note = check_note(note)
    item = check_claim_is_mine(project=project, company_id=company_id, manager=manager)
    company, now, rules = item.company, timezone.now(), rules_of(project)
    phase = current_phase(project=project)
    payload: dict[str, object] = {"result": result, "note": note, "phase": _number(phase)}
    if result in BAD_NUMBER_RESULTS:
        phone = CompanyPhone.objects.filter(company=company, pk=phone_id).first()
        if phone is None:
            raise desk_error(DeskErrorCode.PHONE_NEEDED, MSG_PHONE_NEEDED)
        phone.is_bad = True
        phone.save(update_fields=["is_bad"])
        payload["phone"] = phone.e164
        if not CompanyPhone.objects.filter(company=company, is_bad=False).exists():
            _leave(item, ExitReason.NO_PHONES, payload)
        else:
            item.next_attempt_at = now  # the next number can be tried at once
    elif result == AttemptResult.CALL_BACK_AT:
        if call_back_at is None:
            raise desk_error(DeskErrorCode.CALLBACK_DATE_NEEDED, MSG_CALLBACK_DATE_NEEDED)
        if call_back_at <= now:
            raise desk_error(DeskErrorCode.CALLBACK_IN_THE_PAST, MSG_CALLBACK_IN_THE_PAST)
        item.callback_at, item.callback_owner, item.next_attempt_at = call_back_at, manager, None
        payload["call_back_at"] = call_back_at.isoformat()
    else:
        item.attempts += 1
        if item.attempts >= rules.max_attempts:
            _leave(item, ExitReason.NOT_REACHED, payload)
        else:
            item.next_attempt_at = now + retry_delay(result, rules.retry_minutes)
    item.claimed_by = item.claimed_until = None
    item.save()
    record_event(
        kind=EventKind.ATTEMPT, project=project, company=company, actor=manager, payload=payload
    )
    return item


@transaction.atomic(durable=True)
def record_outcome(
    *,
    project: Project,
    company_id: int,
    manager: User,
    outcome: str,
    note: str = "",
    callback_on: date | None = None,
    contact_person: str = "",
    lead_phone: str = "",
    lead_email: str = "",
) -> Company:
    """One of the seven outcomes (keys 1–7): the company's type changes by a new event."""
    if outcome not in Outcome.values:
        raise desk_error(DeskErrorCode.UNKNOWN_OUTCOME, MSG_UNKNOWN_OUTCOME)
    note = check_note(note)
    now = timezone.now()
    today = kyiv_day(now)
    if outcome == Outcome.CALLBACK:
        if callback_on is None:
            raise desk_error(DeskErrorCode.CALLBACK_DATE_NEEDED, MSG_CALLBACK_DATE_NEEDED)
        if callback_on <= today:
            raise desk_error(DeskErrorCode.CALLBACK_IN_THE_PAST, MSG_CALLBACK_IN_THE_PAST)
    item = check_claim_is_mine(project=project, company_id=company_id, manager=manager)
    company = item.company
    phase = current_phase(project=project)
    payload: dict[str, object] = {"outcome": outcome, "note": note, "phase": _number(phase)}
    if company.outcome:
        payload["previous"] = company.outcome
    if outcome == Outcome.INTERESTED:
        payload["lead"] = _lead_contact(company, contact_person, lead_phone, lead_email)
    reprocess = outcome == Outcome.CALLBACK and project.kind == ProjectKind.SYSTEM
    if reprocess:
        payload["callback_on"] = callback_on.isoformat()
        item.callback_at, item.callback_owner = callback_moment(callback_on), manager
        item.attempts, item.next_attempt_at = 0, None
    else:
        _leave(item, ExitReason.DECIDED, payload)
    item.claimed_by = item.claimed_until = None
    item.save()
    Company.objects.filter(pk=company.pk).update(
        outcome=outcome,
        contact_count=F("contact_count") + 1,
        last_contact_at=now,
        next_callback_on=callback_on if reprocess else None,
    )
    if outcome in DO_NOT_CONTACT_OUTCOMES:
        block_company(company=company, reason=f"outcome:{outcome}")
        payload["do_not_contact"] = True
    count_cycle(project=project, company=company, manager=manager, at=now)
    record_event(
        kind=EventKind.OUTCOME, project=project, company=company, actor=manager, payload=payload
    )
    if outcome == Outcome.INTERESTED:
        request_transfer(
            project=project, company=company, actor=manager, lead=payload["lead"], note=note
        )
    else:
        forward_to_lead(company=company, text=describe(EventKind.OUTCOME, payload))
    company.refresh_from_db()
    return company


@transaction.atomic(durable=True)
def add_note(*, project: Project, company_id: int, manager: User, text: str) -> Company:
    """A line of the client history; a note on a lead is a negotiation and counts a cycle."""
    check_may_work(project=project, manager=manager)
    text = check_note(text)
    company = Company.objects.get(project=project, pk=company_id)
    if company.outcome in LEAD_OUTCOMES:
        count_cycle(project=project, company=company, manager=manager, at=timezone.now())
    phase = current_phase(project=project)
    forward_to_lead(company=company, text=text)
    record_event(
        kind=EventKind.NOTE,
        project=project,
        company=company,
        actor=manager,
        payload={"note": text, "phase": _number(phase)},
    )
    return company


def count_cycle(*, project: Project, company: Company, manager: User, at: datetime) -> None:
    """Processing cycle: once per company per Kyiv day, however many calls it took."""
    ProcessingCycle.objects.bulk_create(
        [
            ProcessingCycle(
                client_id=project.client_id,
                project=project,
                phase=current_phase(project=project),
                company=company,
                manager=manager,
                day=kyiv_day(at),
                counted_at=at,
            )
        ],
        ignore_conflicts=True,
    )


def _lead_contact(company: Company, person: str, phone: str, email: str) -> dict[str, str]:
    """The decision maker's contact, required for a transfer; new numbers join the company."""
    person = " ".join((person or company.contact_person).split())
    parsed_phones = parse_phones(phone).phones if phone.strip() else ()
    parsed_emails = parse_emails(email).emails if email.strip() else ()
    if phone.strip() and not parsed_phones:
        raise desk_error(DeskErrorCode.INVALID_PHONE, MSG_INVALID_PHONE, value=phone)
    if email.strip() and not parsed_emails:
        raise desk_error(DeskErrorCode.INVALID_EMAIL, MSG_INVALID_EMAIL, value=email)
    if not person or not (parsed_phones or parsed_emails):
        raise desk_error(DeskErrorCode.LEAD_CONTACT_NEEDED, MSG_LEAD_CONTACT_NEEDED)
    if person != company.contact_person:
        Company.objects.filter(pk=company.pk).update(contact_person=person)
    for parsed in parsed_phones:
        CompanyPhone.objects.get_or_create(
            company=company, e164=parsed.e164, extension=parsed.extension,
            defaults={"client_id": company.client_id, "kind": parsed.kind,
                      "operator": parsed.operator},
        )  # fmt: skip
    for address in parsed_emails:
        CompanyEmail.objects.get_or_create(
            company=company, address=address, defaults={"client_id": company.client_id}
        )
    return {
        "contact_person": person,
        "phone": parsed_phones[0].e164 if parsed_phones else "",
        "email": parsed_emails[0] if parsed_emails else "",
    }


def _leave(item: QueueItem, reason: ExitReason, payload: dict[str, object]) -> None:
    item.state, item.exit_reason = QueueState.LEFT, reason
    item.next_attempt_at = item.callback_at = None
    if reason != ExitReason.DECIDED:
        payload["left_queue"] = str(reason)


def _number(phase: object) -> int | None:
    return getattr(phase, "number", None)
