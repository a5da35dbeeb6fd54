"""Ukrainian by default, English when chosen; the browser's language does not decide."""

from __future__ import annotations

from django.urls import reverse


def test_pages_are_ukrainian_even_for_an_english_browser(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "uk"
    assert "Увійти".encode() in response.content or "Вхід".encode() in response.content


def test_the_language_switch_turns_pages_english(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("login"))
    assert response.headers["Content-Language"] == "en"


def test_an_unknown_language_cookie_falls_back_to_ukrainian(client, db, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get(reverse("login")).headers["Content-Language"] == "uk"
