"""Signing in and out, and the lockout after repeated wrong passwords (django-axes)."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from tests.conftest import PASSWORD, World

pytestmark = pytest.mark.django_db


def test_login_page_asks_for_email_and_password_and_offers_a_reset(client: HttpClient) -> None:
    page = client.get(reverse("login")).content.decode()
    assert 'name="username"' in page
    assert 'type="email"' in page
    assert 'name="password"' in page
    assert "Забули пароль?" in page
    assert reverse("password_reset") in page


def test_login_with_email_and_password_opens_the_dashboard(world: World) -> None:
    http = HttpClient()
    response = http.post(
        reverse("login"), {"username": world.alice.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert response.status_code == 200
    assert "/p/a-system/" in response.content.decode()


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(world: World) -> None:
    response = HttpClient().post(
        reverse("login"), {"username": world.alice.email, "password": "wrong"}
    )
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()


def test_five_wrong_passwords_pause_logins_for_fifteen_minutes(world: World) -> None:
    http = HttpClient()
    for _ in range(4):
        response = http.post(reverse("login"), {"username": world.bob.email, "password": "nope"})
        assert response.status_code == 200
    locked = http.post(reverse("login"), {"username": world.bob.email, "password": "nope"})
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Вхід тимчасово призупинено" in page
    assert "15 хв." in page
    # Even the right password is refused while the pause lasts.
    again = http.post(reverse("login"), {"username": world.bob.email, "password": PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in http.session


def test_lockout_of_one_person_leaves_another_free(world: World) -> None:
    http = HttpClient()
    for _ in range(5):
        http.post(reverse("login"), {"username": world.bob.email, "password": "nope"})
    response = http.post(reverse("login"), {"username": world.alice.email, "password": PASSWORD})
    assert response.status_code == 302


def test_logout_is_a_post_and_returns_to_login(world: World) -> None:
    http = HttpClient()
    http.force_login(world.alice)
    assert http.get(reverse("logout")).status_code == 405
    response = http.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert http.get(reverse("dashboard")).status_code == 302


def test_logged_in_person_visiting_login_goes_to_the_dashboard(world: World) -> None:
    http = HttpClient()
    http.force_login(world.alice)
    response = http.get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_email_is_matched_whatever_its_letter_case(world: World) -> None:
    response = HttpClient().post(
        reverse("login"), {"username": "  Alice@A.UA ", "password": PASSWORD}
    )
    assert response.status_code == 302
