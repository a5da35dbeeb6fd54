"""Puts the requesting membership on the request; every portal read is given it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from zbut.accounts.selectors import active_membership

SESSION_KEY = "zbut_membership_id"


class MembershipMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.membership = active_membership(  # type: ignore[attr-defined]
                user=user, preferred_id=request.session.get(SESSION_KEY)
            )
        return self.get_response(request)
