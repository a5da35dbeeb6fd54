"""Reads of the outreach app: who may still be contacted."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from zbut.bases.models import Company, CompanyPhone
from zbut.outreach.models import BlockKind, DoNotContact


def blocked_values(*, client_id: int, kind: BlockKind) -> QuerySet[DoNotContact]:
    return DoNotContact.objects.filter(client_id=client_id, kind=kind)


def is_company_blocked(*, company: Company) -> bool:
    return DoNotContact.objects.filter(
        client_id=company.client_id, kind=BlockKind.COMPANY, company=company
    ).exists()


def callable_companies(companies: QuerySet[Company], *, client_id: int) -> QuerySet[Company]:
    """Companies not on the client's do-not-contact list that keep a phone one may call."""
    blocked_company = DoNotContact.objects.filter(
        client_id=client_id, kind=BlockKind.COMPANY, company=OuterRef("pk")
    )
    open_phone = CompanyPhone.objects.filter(company=OuterRef("pk"), is_bad=False).exclude(
        e164__in=blocked_values(client_id=client_id, kind=BlockKind.PHONE).values("value")
    )
    return companies.exclude(Exists(blocked_company)).filter(Exists(open_phone))
