"""Writes to a project's base."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from zbut.accounts.models import User
from zbut.bases.models import BaseState, Company, CompanyEmail, CompanyPhone, PhoneKind
from zbut.history.models import EventKind
from zbut.history.services import NewEvent, record_events
from zbut.projects.models import Project


@dataclass(frozen=True)
class PhoneDraft:
    e164: str
    kind: PhoneKind = PhoneKind.OTHER
    operator: str = ""
    extension: str = ""


@dataclass(frozen=True)
class CompanyDraft:
    """A company as it enters the base, already normalised."""

    name: str
    legal_form: str = ""
    edrpou: str = ""
    address: str = ""
    region: str = ""
    category: str = ""
    source: str = ""
    contact_person: str = ""
    phones: Sequence[PhoneDraft] = ()
    emails: Sequence[str] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@transaction.atomic(durable=True)
def add_companies(
    *,
    project: Project,
    drafts: Sequence[CompanyDraft],
    actor: User | None = None,
    base_state: BaseState = BaseState.NEW,
    occurred_at: datetime | None = None,
) -> list[Company]:
    """Add companies with their phones and e-mails, one history event each, in one transaction."""
    companies = Company.objects.bulk_create(
        [
            Company(
                client_id=project.client_id,
                project=project,
                name=d.name,
                legal_form=d.legal_form,
                edrpou=d.edrpou,
                address=d.address,
                region=d.region,
                category=d.category,
                source=d.source,
                contact_person=d.contact_person,
                extra=d.extra,
                base_state=base_state,
            )
            for d in drafts
        ],
        batch_size=1000,
    )
    CompanyPhone.objects.bulk_create(
        [
            CompanyPhone(
                client_id=project.client_id,
                company=company,
                e164=phone.e164,
                extension=phone.extension,
                kind=phone.kind,
                operator=phone.operator,
            )
            for company, draft in zip(companies, drafts, strict=True)
            for phone in draft.phones
        ],
        batch_size=2000,
    )
    CompanyEmail.objects.bulk_create(
        [
            CompanyEmail(client_id=project.client_id, company=company, address=address)
            for company, draft in zip(companies, drafts, strict=True)
            for address in draft.emails
        ],
        batch_size=2000,
    )
    record_events(
        project=project,
        drafts=[
            NewEvent(
                kind=EventKind.COMPANY_ADDED,
                company_id=company.pk,
                actor_id=actor.pk if actor else None,
                payload={"source": company.source},
                occurred_at=occurred_at,
            )
            for company in companies
        ],
    )
    return companies
