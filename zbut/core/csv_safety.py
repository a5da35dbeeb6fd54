"""Cells that are safe to open in Excel or LibreOffice (OWASP "CSV injection")."""

from __future__ import annotations

import re

# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A list of phone numbers cannot call anything: keep "+380…" readable instead of quoting it.
PHONE_LIST = re.compile(r"^[+\d](?:[\d\s+()\-,;./]|доб)*$")


def neutralise_cell(value: str) -> str:
    """Make a cell safe to open in a spreadsheet, keeping phone lists as written."""
    if not value or not value.startswith(FORMULA_TRIGGERS) or PHONE_LIST.match(value):
        return value
    return "'" + value
