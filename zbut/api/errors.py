"""Every API error as JSON: a stable code and a message in Ukrainian and in English.

``{"code": "not_found", "message_uk": "…", "message_en": "…", "detail": …}``; ``detail``
only where DRF gives field-level details (a bad filter value).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

MESSAGES: dict[str, tuple[str, str]] = {
    "not_authenticated": (
        "Потрібен токен: заголовок «Authorization: Token <ключ>».",
        "A token is required: header 'Authorization: Token <key>'.",
    ),
    "authentication_failed": (
        "Токен невідомий або відкликаний.",
        "The token is unknown or revoked.",
    ),
    "permission_denied": ("Доступ заборонено.", "Permission denied."),
    "not_found": ("Не знайдено.", "Not found."),
    "method_not_allowed": ("API лише для читання.", "The API is read-only."),
    "throttled": ("Забагато запитів, спробуйте пізніше.", "Too many requests, try again later."),
    "invalid": ("Неправильні параметри запиту.", "Invalid request parameters."),
    "invalid_cursor": ("Неправильний курсор.", "Invalid cursor."),
    "parse_error": ("Неправильний запит.", "Malformed request."),
    "not_acceptable": ("Непідтримуваний формат відповіді.", "Unsupported response format."),
}


def error_body(code: str, detail: Any = None) -> dict[str, Any]:
    uk, en = MESSAGES.get(code, MESSAGES["invalid"])
    body: dict[str, Any] = {"code": code, "message_uk": uk, "message_en": en}
    if detail is not None:
        body["detail"] = detail
    return body


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with our body; a missing object of any kind is a 404."""
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let it be a 500 and reach the logs
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    code = _code_of(exc)
    detail = exc.detail if code == "invalid" else None
    set_rollback()
    return Response(error_body(code, detail), status=exc.status_code, headers=headers)


def _code_of(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    code = str(exc.default_code)
    if code in MESSAGES:
        return code
    return "invalid" if exc.status_code == status.HTTP_400_BAD_REQUEST else "permission_denied"
