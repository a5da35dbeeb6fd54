"""Reads for the API. The project is always one ``project_for`` returned for the token's
membership (ARCHITECTURE.md invariant 1); nothing here takes a bare id from the request."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from zbut.accounts.models import Membership
from zbut.api.models import ApiToken
from zbut.bases.models import Company, CompanyEmail, CompanyPhone
from zbut.history.models import Event
from zbut.projects.models import Project

NO_OUTCOME = "none"


def companies_for_api(
    *, project: Project, outcome: str | None = None, updated_since: datetime | None = None
) -> QuerySet[Company]:
    """The project's companies with phones and e-mails (two prefetch queries per page).

    ``updated_since`` means "has an event at or after": a company's state changes only through
    its events (invariant 2), and the (company, occurred_at) index answers the EXISTS.
    """
    companies = Company.objects.filter(project=project).prefetch_related(
        Prefetch("phones", queryset=CompanyPhone.objects.order_by("id")),
        Prefetch("emails", queryset=CompanyEmail.objects.order_by("id")),
    )
    if outcome is not None:
        companies = companies.filter(outcome="" if outcome == NO_OUTCOME else outcome)
    if updated_since is not None:
        recent = Event.objects.filter(company=OuterRef("pk"), occurred_at__gte=updated_since)
        companies = companies.filter(Exists(recent))
    return companies


def events_after(*, project: Project, after: int, limit: int) -> list[Event]:
    """The project's events with an id above ``after``, oldest first.

    Ids within one project are handed out under the project chain's row lock
    (zbut.history.services), so they grow in commit order: a reader that resumes from the last
    id it saw misses nothing that commits later.
    """
    return list(
        Event.objects.filter(project=project, id__gt=after)
        .select_related("actor")
        .order_by("id")[:limit]
    )


def tokens_of(*, membership: Membership) -> QuerySet[ApiToken]:
    """The tokens made for this membership, newest first."""
    return ApiToken.objects.filter(membership=membership)


def token_of(*, membership: Membership, token_id: int) -> ApiToken:
    """One of the membership's tokens; raises ApiToken.DoesNotExist (a 404) for any other."""
    return tokens_of(membership=membership).get(pk=token_id)
