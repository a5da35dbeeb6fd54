from __future__ import annotations

from django.http import HttpRequest

from zbut.accounts.selectors import memberships_of


def navigation(request: HttpRequest) -> dict[str, object]:
    """The active membership and the others the user may switch to, for the page header."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"membership": None, "other_memberships": []}
    others = [m for m in memberships_of(user=request.user) if m.pk != membership.pk]
    return {"membership": membership, "other_memberships": others}
