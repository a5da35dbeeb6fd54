"""``Authorization: Token <key>``: the token's membership is who the request acts as."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from zbut.api.models import ApiToken
from zbut.api.services import hash_key

KEYWORD = "Token"
# last_used_at is for people ("used today?"): one write a minute per token is plenty.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed()
        try:
            raw_key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed() from None
        token = (
            ApiToken.objects.select_related("user", "membership__client")
            .filter(key_hash=hash_key(raw_key), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active or not token.membership.is_client:
            raise exceptions.AuthenticationFailed()
        _touch(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
