"""Side effects after commit: nobody is told about a change that rolled back."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction


def notify_on_commit(callback: Callable[[], object], *, using: str | None = None) -> None:
    """Run ``callback`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(callback, using=using, robust=True)
