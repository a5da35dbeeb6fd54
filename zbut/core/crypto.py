"""Secrets kept at rest encrypted (Bitrix24 webhook URLs, webhook signing secrets).

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`). The key comes from the environment
(FIELD_ENCRYPTION_KEY, a urlsafe base64 32-byte key); without it a key is derived from
SECRET_KEY, so a development database keeps working. Several keys, comma-separated, allow
rotation: the first encrypts, every one decrypts.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(ValueError):
    """The value was encrypted with a key this installation no longer has."""


@cache
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.FIELD_ENCRYPTION_KEY.split(",") if k.strip()]
    if not keys:
        digest = hashlib.sha256(f"zbut-fields:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("encrypted with an unknown key") from None
