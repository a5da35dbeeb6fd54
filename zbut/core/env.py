"""Strict reading of settings from the environment.

Follows healthchecks.io's settings: a boolean that is not true/false is an error, and
every ``NAME`` may instead be given as ``NAME_FILE`` naming a file that holds the secret.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def email_settings(url: str) -> dict[str, object]:
    """Django e-mail settings from an ``EMAIL_URL``.

    ``console://`` prints mail to the terminal, ``memory://`` keeps it for tests,
    ``smtp://user:password@host:25``, ``smtp+tls://…:587`` (STARTTLS) and
    ``smtps://…:465`` (implicit TLS) send it. ``?timeout=10`` sets the socket timeout.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme not in {"smtp", "smtp+tls", "smtps"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme must be console, memory, smtp, smtp+tls or smtps, not {scheme!r}"
        )
    query = parse_qs(parsed.query)
    default_port = {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme]
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or default_port,
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtps",
        "EMAIL_TIMEOUT": int(query.get("timeout", ["10"])[0]),
    }


def cache_settings(url: str, *, default_dir: Path) -> dict[str, object]:
    """Django's default cache from a ``CACHE_URL``.

    The API's per-token rate limit counts in this cache, so every web process must share it:
    ``redis://host:6379/0`` for several machines; ``file:///path`` (the default, under
    ``default_dir``) for the processes of one machine; ``locmem://`` only for one process.
    """
    parsed = urlparse(url) if url else None
    scheme = parsed.scheme.lower() if parsed else "file"
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme == "file":
        location = unquote(parsed.path) if parsed and parsed.path else str(default_dir)
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": location}  # fmt: skip
    raise ImproperlyConfigured(f"CACHE_URL scheme must be redis, file or locmem, not {scheme!r}")
