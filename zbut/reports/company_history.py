"""One company as its client sees it: the history oldest first, transfers, offers, contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from zbut.bases.history_lines import CLIENT_HISTORY_KINDS, contact_summary, describe
from zbut.bases.models import Company
from zbut.bases.outcomes import OUTCOME_COLOURS, Outcome
from zbut.core.models import OutboxMessage
from zbut.handoff.models import Transfer
from zbut.history.models import Event, EventKind
from zbut.projects.models import Project


@dataclass(frozen=True)
class HistoryRow:
    """One action on the company: who, when, what was said."""

    occurred_at: datetime
    actor_name: str
    kind: str
    kind_label: str
    text: str
    is_client: bool


@dataclass(frozen=True)
class CompanyCard:
    """Everything the company page shows, read in a fixed number of queries."""

    company: Company
    phones: list[str]
    emails: list[str]
    history: list[HistoryRow]
    contact_line: str
    transfer: Transfer | None
    deliveries: list[OutboxMessage]
    offers: list[HistoryRow]

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.company.outcome).label) if self.company.outcome else ""

    @property
    def outcome_colour(self) -> str:
        return OUTCOME_COLOURS[Outcome(self.company.outcome)] if self.company.outcome else ""


def company_of(*, project: Project, company_id: int) -> Company:
    """The project's company; raises Company.DoesNotExist (a 404) for any other id."""
    return Company.objects.select_related("project", "client").get(project=project, pk=company_id)


def company_card(*, company: Company) -> CompanyCard:
    """The company's page, oldest action first, in six queries whatever its history."""
    events = (
        Event.objects.filter(company=company, kind__in=CLIENT_HISTORY_KINDS)
        .select_related("actor")
        .order_by("occurred_at", "seq")
    )
    history = [_row(event) for event in events]
    phones = [
        f"{e164} доб. {ext}" if ext else e164
        for e164, ext in company.phones.filter(is_bad=False)
        .order_by("id")
        .values_list("e164", "extension")
    ]
    transfer = Transfer.objects.filter(company=company).first()
    deliveries = list(
        OutboxMessage.objects.filter(company=company)
        .only("kind", "destination", "state", "created_at", "delivered_at")
        .order_by("created_at", "id")
    )
    return CompanyCard(
        company=company,
        phones=phones,
        emails=list(company.emails.order_by("id").values_list("address", flat=True)),
        history=history,
        contact_line=contact_summary(
            last_contact_at=company.last_contact_at, contact_count=company.contact_count
        ),
        transfer=transfer,
        deliveries=deliveries,
        offers=[row for row in history if row.kind == EventKind.OFFER_SENT],
    )


def _row(event: Event) -> HistoryRow:
    payload = event.payload if isinstance(event.payload, dict) else {}
    actor = event.actor
    return HistoryRow(
        occurred_at=event.occurred_at,
        actor_name=(actor.get_full_name() if actor else ""),
        kind=event.kind,
        kind_label=str(event.get_kind_display()),
        text=describe(event.kind, payload),
        is_client=event.kind == EventKind.CLIENT_COMMENT,
    )
