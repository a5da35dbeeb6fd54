"""Ukrainian by default, English when chosen; the browser's language does not decide."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse
from django.utils import translation

from zbut.core.models import OutboxState


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


ENGLISH_CATALOGUE = Path(__file__).resolve().parents[2] / "zbut/locale/en/LC_MESSAGES/django.po"


def test_every_message_has_its_english_translation():
    catalogue = polib_free_entries(ENGLISH_CATALOGUE.read_text(encoding="utf-8"))
    untranslated = [msgid for msgid, msgstr, fuzzy in catalogue if msgid and (not msgstr or fuzzy)]
    assert untranslated == []


def test_states_of_the_outbox_read_in_the_chosen_language():
    with translation.override("en"):
        assert str(OutboxState.DELIVERED.label) == "Delivered"
    with translation.override("uk"):
        assert str(OutboxState.DELIVERED.label) == "Доставлено"


def polib_free_entries(po: str) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of each entry of a .po file: enough of the format for a check."""
    entries = []
    for block in po.split("\n\n"):
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
        parts: dict[str, list[str]] = {}
        key = None
        for line in block.splitlines():
            if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[0] ")):
                key, _, rest = line.partition(" ")
                parts[key] = [rest]
            elif line.startswith('"') and key:
                parts[key].append(line)
        if "msgid" in parts:
            text = {k: "".join(v[1:-1] for v in lines) for k, lines in parts.items()}
            entries.append((text["msgid"], text.get("msgstr", text.get("msgstr[0]", "")), fuzzy))
    return entries
