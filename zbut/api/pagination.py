"""Cursor paging: stable under inserts, and a forged or broken cursor is a 400, not a 404."""

from __future__ import annotations

import binascii
from base64 import b64decode
from typing import Any
from urllib.parse import parse_qs

from rest_framework import exceptions, pagination

PAGE_SIZE = 100
PAGE_SIZE_MAX = 500


class InvalidCursor(exceptions.APIException):
    status_code = 400
    default_code = "invalid_cursor"
    default_detail = "Invalid cursor."


class IdCursorPagination(pagination.CursorPagination):
    ordering = "id"
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = PAGE_SIZE_MAX

    def decode_cursor(self, request: Any) -> Any:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None and not _looks_like_a_cursor(encoded):
            raise InvalidCursor()  # DRF would skip the garbage and answer the first page
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise InvalidCursor() from None

    def get_page_size(self, request: Any) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and 0 < int(raw) <= PAGE_SIZE_MAX):
            raise exceptions.ValidationError(
                {"page_size": [f"An integer from 1 to {PAGE_SIZE_MAX}."]}
            )
        return super().get_page_size(request)


def _looks_like_a_cursor(encoded: str) -> bool:
    """Strict base64 of a query string with DRF's keys (o, r, p), as ``encode_cursor`` makes."""
    try:
        decoded = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
    except (binascii.Error, UnicodeError):
        return False
    tokens = parse_qs(decoded, keep_blank_values=True)
    return bool(tokens) and set(tokens) <= {"o", "r", "p"}
