"""Writes of the outreach app."""

from __future__ import annotations

from zbut.bases.models import Company
from zbut.outreach.models import BlockKind, DoNotContact


def block_company(*, company: Company, reason: str) -> None:
    """Put the company, its phones and its e-mails on the client's do-not-contact list.

    Called inside the caller's transaction (the outcome that decided it records the event).
    """
    rows = [DoNotContact(client_id=company.client_id, kind=BlockKind.COMPANY,
                         value=str(company.pk), company=company, reason=reason)]  # fmt: skip
    rows += [
        DoNotContact(client_id=company.client_id, kind=BlockKind.PHONE, value=e164,
                     company=company, reason=reason)
        for e164 in company.phones.values_list("e164", flat=True)
    ]  # fmt: skip
    rows += [
        DoNotContact(client_id=company.client_id, kind=BlockKind.EMAIL, value=address,
                     company=company, reason=reason)
        for address in company.emails.values_list("address", flat=True)
    ]  # fmt: skip
    DoNotContact.objects.bulk_create(rows, ignore_conflicts=True)
