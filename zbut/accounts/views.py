from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from zbut.accounts.forms import EmailAuthenticationForm
from zbut.accounts.middleware import SESSION_KEY
from zbut.accounts.selectors import memberships_of


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


@login_required
@require_POST
def switch_membership(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Act under another of the user's own memberships (a person may work for two clients)."""
    if not memberships_of(user=request.user).filter(pk=membership_id).exists():
        raise Http404
    request.session[SESSION_KEY] = membership_id
    return redirect("dashboard")
