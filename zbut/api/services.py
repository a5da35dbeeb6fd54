"""Writes of API tokens: make one (its raw key is returned once) and revoke one."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from zbut.accounts.models import Membership
from zbut.api.models import ApiToken
from zbut.core.errors import ZbutError

KEY_PREFIX = "zb_"
VISIBLE_PREFIX_LENGTH = 10  # "zb_" and 7 characters of the secret: enough to tell keys apart
NAME_MAX_LENGTH = 100

AGENCY_MEMBERSHIP = "Токени API видаються людям клієнта. / API tokens are for client users."
EMPTY_NAME = "Вкажіть назву токена. / Give the token a name."
NAME_TOO_LONG = "Назва задовга (до 100 символів). / The name is too long (100 characters max)."


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic(durable=True)
def create_api_token(*, membership: Membership, name: str) -> tuple[ApiToken, str]:
    """A new token for a client membership; returns it with the raw key, never stored."""
    if not membership.is_client:
        raise ZbutError("agency_membership", AGENCY_MEMBERSHIP)
    name = name.strip()
    if not name:
        raise ZbutError("empty_name", EMPTY_NAME)
    if len(name) > NAME_MAX_LENGTH:
        raise ZbutError("name_too_long", NAME_TOO_LONG)
    raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user_id=membership.user_id,
        membership=membership,
        name=name,
        prefix=raw_key[:VISIBLE_PREFIX_LENGTH],
        key_hash=hash_key(raw_key),
    )
    return token, raw_key


@transaction.atomic(durable=True)
def revoke_api_token(*, token: ApiToken) -> ApiToken:
    """Revoke a token; revoking twice keeps the first time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token
