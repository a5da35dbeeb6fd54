"""Password reset by e-mail: the letter arrives, its link sets a new password once."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from tests.conftest import World

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-Password-42"
LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/[^\s]+/)")


def request_reset(http: HttpClient, email: str) -> None:
    response = http.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")


def test_password_reset_sends_an_email_with_a_link_that_sets_a_new_password(
    world: World,
) -> None:
    http = HttpClient()
    request_reset(http, world.alice.email)

    assert len(mail.outbox) == 1
    letter = mail.outbox[0]
    assert letter.to == [world.alice.email]
    assert "\n" not in letter.subject
    assert "Zbut" in letter.subject
    path = LINK.search(letter.body).group(1)

    form_page = http.get(path, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    response = http.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    login = HttpClient().post(
        reverse("login"), {"username": world.alice.email, "password": NEW_PASSWORD}
    )
    assert login.status_code == 302

    reused = http.get(path, follow=True)
    assert reused.context["validlink"] is False
    assert "Посилання недійсне" in reused.content.decode()


def test_password_reset_for_an_unknown_email_sends_nothing_and_reveals_nothing(
    world: World,
) -> None:
    request_reset(HttpClient(), "nobody@nowhere.ua")
    assert mail.outbox == []


def test_password_reset_pages_render(client: HttpClient) -> None:
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "Zbut" in response.content.decode()
