"""The client owner's page of API tokens: make one (its key is shown once) and revoke one.

Only a client's owner sees it; anyone else gets a 404, as for a page that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from zbut.accounts.models import Membership, Role
from zbut.api import selectors, services
from zbut.api.models import ApiToken
from zbut.core.errors import ZbutError

View = Callable[..., HttpResponse]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Назва (для чого цей токен)"),
        max_length=services.NAME_MAX_LENGTH,
    )


def owner_view(view: View) -> View:
    """Log-in required, and the owner of a client; a 404 for everyone else."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership: Membership | None = request.membership  # type: ignore[attr-defined]
        if membership is None or not membership.is_client or membership.role != Role.OWNER:
            raise Http404
        return view(request, membership, *args, **kwargs)

    return wrapped


@require_http_methods(["GET", "POST"])
@owner_view
def tokens_page(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.create_api_token(
                membership=membership, name=form.cleaned_data["name"]
            )
        except ZbutError as error:
            form.add_error("name", str(error.message))
        else:
            form = TokenForm()
    context = {
        "form": form,
        "new_key": new_key,
        "tokens": selectors.tokens_of(membership=membership),
    }
    response = render(request, "api/tokens.html", context)
    if new_key:
        response["Cache-Control"] = "no-store"  # the key is shown once and never cached
    return response


@require_POST
@owner_view
def revoke_token(request: HttpRequest, membership: Membership, token_id: int) -> HttpResponse:
    try:
        token = selectors.token_of(membership=membership, token_id=token_id)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    services.revoke_api_token(token=token)
    messages.success(request, _("Токен «%(name)s» відкликано.") % {"name": token.name})
    return redirect("api:tokens")
