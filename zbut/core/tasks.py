"""Tasks of the core: outbox delivery. Thin shims over zbut.core.outbox."""

from __future__ import annotations

from django_tasks import task

from zbut.core import outbox


@task()
def deliver_outbox_message(message_id: int) -> str:
    """Deliver one outbox message. Idempotent: a message already claimed or done is skipped."""
    return outbox.deliver(message_id).state
