"""Reads about people and tenants."""

from __future__ import annotations

from django.db.models import QuerySet

from zbut.accounts.models import Client, Membership, Role, User


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, user__is_active=True)
        .select_related("client", "agency")
        .order_by("client__name", "id")
    )


def active_membership(*, user: User, preferred_id: int | None = None) -> Membership | None:
    """The membership the user acts under: the one chosen in the session, else the first."""
    memberships = list(memberships_of(user=user))
    for membership in memberships:
        if membership.pk == preferred_id:
            return membership
    return memberships[0] if memberships else None


def clients_for(*, membership: Membership) -> QuerySet[Client]:
    """Clients the membership may see: all for the agency's admin and coordinators."""
    if membership.is_client:
        return Client.objects.filter(pk=membership.client_id)
    if membership.role in {Role.ADMIN, Role.COORDINATOR}:
        return Client.objects.all()
    return Client.objects.filter(projects__assignments__manager=membership.user_id).distinct()
