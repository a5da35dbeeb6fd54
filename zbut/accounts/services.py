"""Writes about the agency, its clients and its people."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from zbut.accounts.identifiers import normalise_edrpou
from zbut.accounts.models import AGENCY_ROLES, CLIENT_ROLES, Agency, Client, Membership, Role, User
from zbut.core.errors import ZbutError
from zbut.history.models import EventKind
from zbut.history.services import record_event

DEFAULT_AGENCY_NAME = "Zbut"


class AccountsErrorCode:
    CLIENT_EXISTS = "client_exists"
    INVALID_SLUG = "invalid_slug"
    INVALID_EDRPOU = "invalid_edrpou"
    ROLE_NEEDS_CLIENT = "role_needs_client"
    ROLE_IS_AGENCY = "role_is_agency"
    UNKNOWN_ROLE = "unknown_role"
    MEMBERSHIP_EXISTS = "membership_exists"
    INVALID_EMAIL = "invalid_email"


def get_agency() -> Agency:
    """The installation's agency, created on first use."""
    agency = Agency.objects.order_by("id").first()
    if agency is None:
        agency = Agency.objects.create(name=DEFAULT_AGENCY_NAME)
    return agency


@transaction.atomic(durable=True)
def create_client(*, slug: str, name: str, edrpou: str = "", actor: User | None = None) -> Client:
    if not slug or slugify(slug) != slug:
        raise ZbutError(
            AccountsErrorCode.INVALID_SLUG,
            _("Коротке ім'я «%(slug)s» може містити лише латинські літери, цифри та дефіси.")
            % {"slug": slug},
        )
    if edrpou:
        try:
            edrpou = normalise_edrpou(edrpou)
        except ValidationError as error:
            raise ZbutError(AccountsErrorCode.INVALID_EDRPOU, str(error.messages[0])) from None
    if Client.objects.filter(slug=slug).exists():
        raise ZbutError(
            AccountsErrorCode.CLIENT_EXISTS,
            _("Клієнт «%(slug)s» вже існує.") % {"slug": slug},
        )
    client = Client.objects.create(agency=get_agency(), slug=slug, name=name, edrpou=edrpou)
    record_event(
        kind=EventKind.CLIENT_CREATED,
        client=client,
        actor=actor,
        payload={"client": client.slug, "name": client.name},
    )
    return client


def _check_role_scope(*, role: str, client: Client | None) -> Role:
    if role not in Role.values:
        raise ZbutError(
            AccountsErrorCode.UNKNOWN_ROLE,
            _("Невідома роль «%(role)s»; можливі: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)},
        )
    if role in CLIENT_ROLES and client is None:
        raise ZbutError(
            AccountsErrorCode.ROLE_NEEDS_CLIENT,
            _("Роль «%(role)s» належить клієнту: вкажіть клієнта.") % {"role": role},
        )
    if role in AGENCY_ROLES and client is not None:
        raise ZbutError(
            AccountsErrorCode.ROLE_IS_AGENCY,
            _("Роль «%(role)s» належить агенції: клієнта вказувати не треба.") % {"role": role},
        )
    return Role(role)


@transaction.atomic(durable=True)
def create_user(
    *,
    email: str,
    role: str,
    client: Client | None = None,
    password: str | None = None,
    full_name: str = "",
    actor: User | None = None,
) -> User:
    """Create a person with one membership (agency role, or a client's owner/viewer).

    An existing user with that e-mail gets the new membership instead of a second account.
    Without a password the user sets one through the password-reset e-mail.
    """
    role = _check_role_scope(role=role, client=client)
    email = _check_email(email)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, full_name=full_name)
        record_event(
            kind=EventKind.USER_CREATED,
            client=client,
            actor=actor,
            payload={"user_id": user.pk},
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, agency=get_agency(), client=client, role=role
            )
    except IntegrityError:
        raise ZbutError(
            AccountsErrorCode.MEMBERSHIP_EXISTS,
            _("Користувач %(email)s вже має роль у цьому місці.") % {"email": email},
        ) from None
    if role == Role.ADMIN and not user.is_superuser:
        # The agency admin sets up clients, projects and people in the Django admin.
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    record_event(
        kind=EventKind.MEMBERSHIP_GRANTED,
        client=client,
        actor=actor,
        payload={"user_id": user.pk, "role": str(role), "membership_id": membership.pk},
    )
    return user


def _check_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ZbutError(
            AccountsErrorCode.INVALID_EMAIL,
            _("Невірна адреса e-mail: «%(email)s».") % {"email": email},
        ) from None
    return email
