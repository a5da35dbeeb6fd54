"""The sign-in form: people sign in with their e-mail."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm


class EmailAuthenticationMixin:
    """Authenticate by e-mail, lower-cased as accounts store it, under both credential names.

    Django's form passes ``username=``; django-axes reads the login name from the credentials
    key named by ``AXES_USERNAME_FORM_FIELD``, which defaults to the user model's
    ``USERNAME_FIELD`` (``email``). With only ``username=`` every failure was recorded without
    a name, so the lockout never held for the person. Passing both keys keeps the lockout per
    e-mail whichever way that setting is configured.
    """

    def clean(self) -> dict[str, Any]:
        form: AuthenticationForm = self  # type: ignore[assignment]
        email = (form.cleaned_data.get("username") or "").strip().lower()
        password = form.cleaned_data.get("password")
        if email and password:
            form.user_cache = authenticate(
                form.request, username=email, email=email, password=password
            )
            if form.user_cache is None:
                raise form.get_invalid_login_error()
            form.confirm_login_allowed(form.user_cache)
        return form.cleaned_data


class EmailAuthenticationForm(EmailAuthenticationMixin, AuthenticationForm):
    pass


class AdminEmailAuthenticationForm(EmailAuthenticationMixin, AdminAuthenticationForm):
    pass
