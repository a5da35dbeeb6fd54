"""Clients, people and roles are created only whole and valid."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st
from stdnum.ua import edrpou

from zbut.accounts.models import Client, Membership, Role, User
from zbut.accounts.services import AccountsErrorCode, create_client, create_user
from zbut.core.errors import ZbutError
from zbut.history.models import AGENCY_CHAIN, Event, EventKind


def test_client_is_created_with_a_valid_edrpou_and_recorded_in_history(db):
    client = create_client(slug="agro", name="ТОВ «Агро»", edrpou=" 32855961 ")
    assert client.edrpou == "32855961"
    event = Event.objects.get(kind=EventKind.CLIENT_CREATED)
    assert event.chain == AGENCY_CHAIN
    assert event.client == client


def test_client_with_a_wrong_check_digit_is_refused_and_nothing_is_created(db):
    with pytest.raises(ZbutError) as raised:
        create_client(slug="agro", name="ТОВ «Агро»", edrpou="32855968")
    assert raised.value.code == AccountsErrorCode.INVALID_EDRPOU
    assert "ЄДРПОУ" in raised.value.message
    assert not Client.objects.exists()
    assert not Event.objects.exists()


@given(digits=st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_edrpou_is_accepted_exactly_when_its_check_digit_is_right(digits):
    assert _accepts(digits) == edrpou.is_valid(digits)


def _accepts(code: str) -> bool:
    from django.core.exceptions import ValidationError

    from zbut.accounts.identifiers import normalise_edrpou

    try:
        normalise_edrpou(code)
    except ValidationError:
        return False
    return True


def test_client_slugs_are_unique(db):
    create_client(slug="agro", name="Агро")
    with pytest.raises(ZbutError) as raised:
        create_client(slug="agro", name="Інше Агро")
    assert raised.value.code == AccountsErrorCode.CLIENT_EXISTS


@pytest.mark.parametrize("slug", ["", "Agro Client", "агро", "a/b"])
def test_client_slug_must_be_a_url_slug(db, slug):
    with pytest.raises(ZbutError) as raised:
        create_client(slug=slug, name="Агро")
    assert raised.value.code == AccountsErrorCode.INVALID_SLUG


def test_passwords_are_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = create_user(email="Coord@Agency.UA", role="coordinator", password="s3cret-pass-phrase")
    assert user.email == "coord@agency.ua"
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("s3cret-pass-phrase")


def test_client_roles_need_a_client_and_agency_roles_refuse_one(db):
    client = create_client(slug="agro", name="Агро")
    with pytest.raises(ZbutError) as raised:
        create_user(email="o@agro.ua", role="owner")
    assert raised.value.code == AccountsErrorCode.ROLE_NEEDS_CLIENT
    with pytest.raises(ZbutError) as raised:
        create_user(email="m@agency.ua", role="manager", client=client)
    assert raised.value.code == AccountsErrorCode.ROLE_IS_AGENCY
    assert not User.objects.exists()


def test_unknown_role_is_refused(db):
    with pytest.raises(ZbutError) as raised:
        create_user(email="x@agency.ua", role="boss")
    assert raised.value.code == AccountsErrorCode.UNKNOWN_ROLE


def test_invalid_email_is_refused(db):
    with pytest.raises(ZbutError) as raised:
        create_user(email="not-an-email", role="manager")
    assert raised.value.code == AccountsErrorCode.INVALID_EMAIL


def test_one_person_may_belong_to_two_clients(db):
    a = create_client(slug="a", name="A")
    b = create_client(slug="b", name="B")
    create_user(email="p@x.ua", role="owner", client=a)
    user = create_user(email="p@x.ua", role="viewer", client=b)
    assert user.memberships.count() == 2
    assert User.objects.count() == 1


def test_the_same_membership_twice_is_refused(db):
    a = create_client(slug="a", name="A")
    create_user(email="p@x.ua", role="owner", client=a)
    with pytest.raises(ZbutError) as raised:
        create_user(email="p@x.ua", role="viewer", client=a)
    assert raised.value.code == AccountsErrorCode.MEMBERSHIP_EXISTS


def test_agency_admin_may_use_the_django_admin(db):
    assert create_user(email="root@agency.ua", role="admin").is_staff
    assert not create_user(email="m@agency.ua", role="manager").is_staff


def test_database_refuses_a_client_role_without_a_client(db):
    user = User.objects.create_user("x@x.ua")
    from zbut.accounts.services import get_agency

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, agency=get_agency(), role=Role.OWNER)
