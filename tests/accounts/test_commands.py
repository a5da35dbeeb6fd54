"""`zbut create-client` and `zbut create-user`: bad input is one clear line and exit 2."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zbut.accounts.models import Client, Membership, User
from zbut.history.models import Event


def _fails(*args: str) -> str:
    with pytest.raises(CommandError) as raised:
        call_command(*args)
    assert raised.value.returncode == 2
    return str(raised.value)


def test_create_client_with_a_valid_edrpou(db, capsys):
    call_command("create_client", "--slug", "agro", "--name", "ТОВ «Агро»", "--edrpou", "32855961")
    assert Client.objects.get(slug="agro").edrpou == "32855961"
    assert "agro" in capsys.readouterr().out


def test_create_client_with_an_invalid_edrpou_creates_nothing(db):
    message = _fails("create_client", "--slug", "agro", "--name", "Агро", "--edrpou", "12345670")
    assert "ЄДРПОУ" in message
    assert not Client.objects.exists()
    assert not Event.objects.exists()


def test_create_user_for_an_unknown_client_creates_nothing(db):
    message = _fails("create_user", "--role", "owner", "--client", "nobody", "o@x.ua")
    assert "nobody" in message
    assert not User.objects.exists()


def test_create_user_owner_of_a_client(db, monkeypatch):
    call_command("create_client", "--slug", "agro", "--name", "Агро")
    monkeypatch.setenv("OWNER_PASSWORD", "a-long-pass-phrase")
    call_command(
        "create_user",
        "--role",
        "owner",
        "--client",
        "agro",
        "--password-from-env",
        "OWNER_PASSWORD",
        "owner@agro.ua",
    )
    membership = Membership.objects.get(user__email="owner@agro.ua")
    assert (membership.role, membership.client.slug) == ("owner", "agro")
    assert membership.user.check_password("a-long-pass-phrase")


def test_create_user_with_an_agency_role_and_a_client_is_refused(db):
    call_command("create_client", "--slug", "agro", "--name", "Агро")
    _fails("create_user", "--role", "manager", "--client", "agro", "m@agency.ua")
    assert not User.objects.exists()
