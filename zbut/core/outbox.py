"""The transactional outbox: nothing that leaves Zbut is lost, nothing is sent twice.

A cause writes an ``OutboxMessage`` in its own transaction (``enqueue``); after commit a task
delivers it (``deliver``). Delivery claims the row with a conditional update and a lease, calls
the handler registered for the message's kind outside any transaction, and records the result:
delivered, failed with the next attempt scheduled (exponential backoff with jitter, capped at an
hour as Sentry's outbox does), or dead. A worker that dies mid-delivery leaves a lease that
expires; ``sweep`` hands such rows, and rows whose retry is due, back to the task queue. The
receiver sees a message at most once because handlers are idempotent by the message's key
(e.g. the Bitrix24 lead carries it in ORIGIN_ID and is looked up before it is created again).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from zbut.core.models import DestinationHealth, OutboxMessage, OutboxState
from zbut.core.on_commit import notify_on_commit

logger = logging.getLogger("zbut.outbox")

LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=10)
MAX_RETRY = timedelta(hours=1)
MAX_ATTEMPTS = 25  # about a day of retries at the capped interval
ALERT_AFTER = timedelta(minutes=10)


class RetryableDelivery(Exception):
    """The destination is down, slow or throttling: try again later."""


class FatalDelivery(Exception):
    """The destination refused the message for good (bad credentials, rejected field)."""


@dataclass(frozen=True)
class Handler:
    deliver: Callable[[OutboxMessage], dict[str, Any] | None]
    rate_per_second: float = 0.0  # 0 means no limit
    burst: int = 1
    # Told when a message is delivered or dead, e.g. to write the delivery into the history.
    on_finish: Callable[[OutboxMessage], None] | None = None
    # Told at once of the messages a backlog call delivered, instead of ``on_finish`` each.
    on_finish_many: Callable[[list[OutboxMessage]], None] | None = None
    # Delivers a backlog in one call (e.g. a Bitrix24 `batch`): message id → result or error.
    deliver_many: Callable[[list[OutboxMessage]], dict[int, Any]] | None = None
    batch_size: int = 1
    # Requests one call of ``deliver`` or ``deliver_many`` makes to the destination, each a
    # token of its rate limit (a Bitrix24 transfer looks its leads up, then writes: two).
    requests_per_call: int = 1


_HANDLERS: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    """Apps that send things register their handler by kind in AppConfig.ready()."""
    _HANDLERS[kind] = handler


def enqueue(
    *,
    kind: str,
    destination: str,
    idempotency_key: str,
    payload: dict[str, Any],
    client_id: int | None = None,
    project_id: int | None = None,
    company_id: int | None = None,
) -> OutboxMessage:
    """Write the message inside the caller's transaction; it is handed to a worker on commit.

    Enqueuing the same idempotency key twice returns the first message.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue outbox messages inside the transaction of their cause")
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "kind": kind,
            "destination": destination,
            "payload": payload,
            "client_id": client_id,
            "project_id": project_id,
            "company_id": company_id,
        },
    )
    if created:
        notify_on_commit(lambda: schedule(message.pk))
    return message


def schedule(message_id: int, *, at: datetime | None = None) -> None:
    from zbut.core.tasks import deliver_outbox_message

    task = deliver_outbox_message
    if at is not None and at > timezone.now():
        if not task.get_backend().supports_defer:
            return  # a backend that cannot wait (tests' immediate one): sweep() brings it back
        task = task.using(run_after=at)
    task.enqueue(message_id)


def deliver(message_id: int) -> OutboxMessage:
    """Deliver one message if it is due. Idempotent: a claimed or finished row is left alone."""
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id)
        .filter(
            Q(state__in=[OutboxState.QUEUED, OutboxState.FAILED], next_attempt_at__lte=now)
            | Q(state=OutboxState.SENDING, lease_until__lt=now)
        )
        .update(state=OutboxState.SENDING, lease_until=now + LEASE)
    )
    message = OutboxMessage.objects.get(pk=message_id)
    if not claimed:
        return message
    handler = _HANDLERS.get(message.kind)
    if handler is None:
        return _finish(message, dead=True, error=f"no handler for {message.kind}")
    wait = _take_token(message.destination, handler)
    if wait:
        message.state, message.next_attempt_at = OutboxState.QUEUED, now + wait
        message.lease_until = None
        message.save(update_fields=["state", "next_attempt_at", "lease_until"])
        schedule(message.pk, at=message.next_attempt_at)
        return message
    if handler.deliver_many is not None:
        return _deliver_backlog(message, handler)
    message.attempts += 1
    message.save(update_fields=["attempts"])
    try:
        result = handler.deliver(message) or {}
    except FatalDelivery as error:
        return _finish(message, dead=True, error=str(error))
    except RetryableDelivery as error:
        return _finish(message, dead=message.attempts >= MAX_ATTEMPTS, error=str(error))
    except Exception as error:  # a bug must not lose the message: retry and show it
        logger.exception("outbox handler crashed kind=%s id=%s", message.kind, message.pk)
        return _finish(message, dead=message.attempts >= MAX_ATTEMPTS, error=repr(error))
    return _delivered(message, handler, result)


def _delivered(
    message: OutboxMessage, handler: Handler, result: dict[str, Any], *, alone: bool = True
) -> OutboxMessage:
    """Record a delivery; ``alone=False`` (one of a backlog call's) leaves marking the
    destination healthy and telling the handler to the call, once for all."""
    message.state, message.result, message.last_error = OutboxState.DELIVERED, result, ""
    message.delivered_at, message.lease_until = timezone.now(), None
    message.save(update_fields=["state", "result", "last_error", "delivered_at", "lease_until"])
    if alone:
        _mark_healthy(message.destination)
        _tell(handler, message)
    return message


def _deliver_backlog(first: OutboxMessage, handler: Handler) -> OutboxMessage:
    """Deliver the claimed message with other due ones of its kind and destination, in one go.

    One call's tokens for the lot (``requests_per_call``: a Bitrix24 batch counts as one
    request). Each message ends on its own: delivered, retried or dead, as its own result says.
    """
    messages = [first, *_claim_more(first, handler.batch_size - 1)]
    for message in messages:
        message.attempts += 1
    OutboxMessage.objects.bulk_update(messages, ["attempts"])
    try:
        outcomes = handler.deliver_many(messages)
    except Exception as error:  # the whole call failed: every message takes the same way
        outcomes = {message.pk: error for message in messages}
    delivered: list[OutboxMessage] = []
    # One commit for the call's results, not one a row: on PostgreSQL each commit waits for
    # the WAL to reach the disk. Lost with a crash before it, they come back when the leases
    # expire, and the handler finds what it had delivered (its messages' keys).
    with transaction.atomic():
        for message in messages:
            outcome = outcomes.get(message.pk, RetryableDelivery("no answer for this message"))
            if isinstance(outcome, FatalDelivery):
                _finish(message, dead=True, error=str(outcome))
            elif isinstance(outcome, Exception):
                error = str(outcome) if isinstance(outcome, RetryableDelivery) else repr(outcome)
                _finish(message, dead=message.attempts >= MAX_ATTEMPTS, error=error)
            else:
                delivered.append(_delivered(message, handler, outcome or {}, alone=False))
        if delivered:
            _mark_healthy(first.destination)
    if delivered:
        _tell_many(handler, delivered)
    first.refresh_from_db()
    return first


def _claim_more(first: OutboxMessage, limit: int) -> list[OutboxMessage]:
    """Claim up to ``limit`` more due messages like ``first``."""
    if limit <= 0:
        return []
    now = timezone.now()
    due = Q(state__in=[OutboxState.QUEUED, OutboxState.FAILED], next_attempt_at__lte=now)
    candidates = (
        OutboxMessage.objects.filter(due, kind=first.kind, destination=first.destination)
        .exclude(pk=first.pk)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    # One conditional update for them all: a row another worker claimed meanwhile is no longer
    # due, and the rows this one claimed carry its lease, to the microsecond.
    lease = now + LEASE
    pks = list(candidates)
    OutboxMessage.objects.filter(due, pk__in=pks).update(
        state=OutboxState.SENDING, lease_until=lease
    )
    claimed = OutboxMessage.objects.filter(pk__in=pks, state=OutboxState.SENDING, lease_until=lease)
    return list(claimed.order_by("pk"))


def _tell(handler: Handler | None, message: OutboxMessage) -> None:
    if handler is None or handler.on_finish is None:
        return
    try:
        handler.on_finish(message)
    except Exception:  # the delivery stands; only its note in the history is missing
        logger.exception("outbox on_finish failed kind=%s id=%s", message.kind, message.pk)


def _tell_many(handler: Handler, messages: list[OutboxMessage]) -> None:
    if handler.on_finish_many is None:
        for message in messages:
            _tell(handler, message)
        return
    try:
        handler.on_finish_many(messages)
    except Exception:  # the deliveries stand; only their notes in the history are missing
        logger.exception("outbox on_finish_many failed kind=%s", messages[0].kind)


def backoff(attempts: int) -> timedelta:
    """Exponential with full jitter: 10 s, 20 s, 40 s … capped at an hour."""
    ceiling = min(MAX_RETRY, FIRST_RETRY * (2 ** max(0, attempts - 1)))
    return timedelta(seconds=random.uniform(ceiling.total_seconds() / 2, ceiling.total_seconds()))


def _finish(message: OutboxMessage, *, dead: bool, error: str) -> OutboxMessage:
    message.last_error = error[:2000]
    message.lease_until = None
    if dead:
        message.state = OutboxState.DEAD
    else:
        message.state = OutboxState.FAILED
        message.next_attempt_at = timezone.now() + backoff(message.attempts)
    message.save(update_fields=["state", "last_error", "lease_until", "next_attempt_at"])
    _mark_failing(message.destination, error)
    if dead:
        _tell(_HANDLERS.get(message.kind), message)
    else:
        schedule(message.pk, at=message.next_attempt_at)
    logger.warning(
        "outbox delivery failed kind=%s id=%s attempts=%s dead=%s",
        message.kind, message.pk, message.attempts, dead,
    )  # fmt: skip
    return message


@transaction.atomic
def _take_token(destination: str, handler: Handler) -> timedelta | None:
    """A leaky bucket per destination in the database, so every worker shares it: the
    tokens of one call (``requests_per_call``), or how long to wait for them."""
    if handler.rate_per_second <= 0:
        return None
    DestinationHealth.objects.get_or_create(
        destination=destination, defaults={"tokens": float(handler.burst)}
    )
    bucket = DestinationHealth.objects.select_for_update().get(destination=destination)
    now = timezone.now()
    elapsed = (now - bucket.refilled_at).total_seconds()
    tokens = min(float(handler.burst), bucket.tokens + elapsed * handler.rate_per_second)
    needed = handler.requests_per_call
    if tokens < needed:
        bucket.tokens, bucket.refilled_at = tokens, now
        bucket.save(update_fields=["tokens", "refilled_at"])
        return timedelta(seconds=(needed - tokens) / handler.rate_per_second)
    bucket.tokens, bucket.refilled_at = tokens - needed, now
    bucket.save(update_fields=["tokens", "refilled_at"])
    return None


def spend_tokens(destination: str, count: int) -> None:
    """Requests a handler makes beyond its ``requests_per_call`` (when it learns it must):
    taken from the destination's bucket, below empty if need be, so the next call waits."""
    DestinationHealth.objects.filter(destination=destination).update(tokens=F("tokens") - count)


def _mark_failing(destination: str, error: str) -> None:
    health, _created = DestinationHealth.objects.get_or_create(destination=destination)
    if health.failing_since is None:
        health.failing_since = timezone.now()
    health.last_error = error[:2000]
    health.save(update_fields=["failing_since", "last_error"])


def _mark_healthy(destination: str) -> None:
    DestinationHealth.objects.filter(destination=destination).exclude(failing_since=None).update(
        failing_since=None, last_error="", alerted_at=None
    )


def sweep() -> int:
    """Hand back to the workers what is due but not queued: expired leases, lost tasks."""
    now = timezone.now()
    due = OutboxMessage.objects.filter(
        Q(state__in=[OutboxState.QUEUED, OutboxState.FAILED], next_attempt_at__lte=now)
        | Q(state=OutboxState.SENDING, lease_until__lt=now)
    ).values_list("pk", flat=True)[: settings.OUTBOX_SWEEP_BATCH]
    count = 0
    for message_id in due:
        schedule(message_id)
        count += 1
    return count


def failing_destinations(*, longer_than: timedelta = ALERT_AFTER) -> list[DestinationHealth]:
    """Destinations that have failed without a success for longer than ``longer_than``."""
    since = timezone.now() - longer_than
    return list(DestinationHealth.objects.filter(failing_since__lte=since))


@transaction.atomic
def retry_dead(*, message_id: int) -> OutboxMessage:
    """The coordinator's "retry": a dead message gets a fresh round of attempts."""
    message = OutboxMessage.objects.select_for_update().get(pk=message_id)
    if message.state == OutboxState.DEAD:
        message.state, message.attempts = OutboxState.QUEUED, 0
        message.next_attempt_at = timezone.now()
        message.save(update_fields=["state", "attempts", "next_attempt_at"])
        notify_on_commit(lambda: schedule(message.pk))
    return message
