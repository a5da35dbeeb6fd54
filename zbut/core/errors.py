"""The one base error of Zbut's domain, turned into an HTTP answer or a CLI line in one place."""

from __future__ import annotations

from typing import Any


class ZbutError(Exception):
    """A domain error with a stable ``code`` and a message for people (Ukrainian, translated)."""

    def __init__(self, code: str, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)


class ZbutPermissionDenied(ZbutError):
    """The requesting membership may not do this."""
