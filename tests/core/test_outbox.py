"""The outbox: written with its cause, delivered after commit, retried, never doubled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from zbut.core import outbox
from zbut.core.models import DestinationHealth, OutboxMessage, OutboxState

SENT: list[str] = []
BEHAVIOUR: dict[str, object] = {}


def _handler(message: OutboxMessage) -> dict[str, object]:
    effect = BEHAVIOUR.get(message.idempotency_key)
    if isinstance(effect, Exception):
        raise effect
    SENT.append(message.idempotency_key)
    return {"remote_id": len(SENT)}


@pytest.fixture(autouse=True)
def test_handler():
    SENT.clear()
    BEHAVIOUR.clear()
    outbox.register("test.send", outbox.Handler(_handler))
    outbox.register("test.throttled", outbox.Handler(_handler, rate_per_second=1, burst=2))
    outbox.register(
        "test.two_requests",
        outbox.Handler(_handler, rate_per_second=1, burst=4, requests_per_call=2),
    )
    yield


def _enqueue(key: str, kind: str = "test.send", destination: str = "dest") -> OutboxMessage:
    with transaction.atomic():
        return outbox.enqueue(kind=kind, destination=destination, idempotency_key=key,
                              payload={"n": key})  # fmt: skip


def test_a_message_is_delivered_after_its_cause_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _enqueue("lead-1")
    message.refresh_from_db()
    assert (message.state, message.attempts, message.result) == (
        OutboxState.DELIVERED, 1, {"remote_id": 1},
    )  # fmt: skip
    assert SENT == ["lead-1"]


def test_nothing_leaves_for_a_cause_that_rolled_back(db, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.enqueue(kind="test.send", destination="d", idempotency_key="k", payload={})
        raise RuntimeError("the outcome failed")
    assert not OutboxMessage.objects.exists()
    assert SENT == []


def test_enqueue_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError):
        outbox.enqueue(kind="test.send", destination="d", idempotency_key="k", payload={})


def test_the_same_idempotency_key_is_one_message(db):
    first = _enqueue("lead-1")
    again = _enqueue("lead-1")
    assert first.pk == again.pk
    assert OutboxMessage.objects.count() == 1


def test_a_retryable_failure_schedules_a_retry_with_backoff(db):
    message = _enqueue("lead-1")
    BEHAVIOUR["lead-1"] = outbox.RetryableDelivery("503 Service Unavailable")
    message = outbox.deliver(message.pk)
    assert message.state == OutboxState.FAILED
    assert message.last_error == "503 Service Unavailable"
    assert timezone.now() + timedelta(seconds=4) < message.next_attempt_at
    assert outbox.deliver(message.pk).attempts == 1, "not due yet: nothing happens"
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    BEHAVIOUR.clear()
    message = outbox.deliver(message.pk)
    assert (message.state, message.attempts) == (OutboxState.DELIVERED, 2)
    assert SENT == ["lead-1"]


def test_a_fatal_failure_makes_the_message_dead_and_the_coordinator_can_retry(db):
    message = _enqueue("lead-1")
    BEHAVIOUR["lead-1"] = outbox.FatalDelivery("INVALID_CREDENTIALS: wrong webhook")
    assert outbox.deliver(message.pk).state == OutboxState.DEAD
    BEHAVIOUR.clear()
    outbox.retry_dead(message_id=message.pk)
    assert outbox.deliver(message.pk).state == OutboxState.DELIVERED


def test_a_crashing_handler_does_not_lose_the_message(db):
    message = _enqueue("lead-1")
    BEHAVIOUR["lead-1"] = KeyError("bug")
    message = outbox.deliver(message.pk)
    assert message.state == OutboxState.FAILED
    assert "KeyError" in message.last_error


def test_after_the_last_attempt_a_message_is_dead(db):
    message = _enqueue("lead-1")
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    BEHAVIOUR["lead-1"] = outbox.RetryableDelivery("timeout")
    assert outbox.deliver(message.pk).state == OutboxState.DEAD


def test_a_row_claimed_by_a_worker_that_died_is_retried_after_its_lease(db):
    message = _enqueue("lead-1")
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxState.SENDING, lease_until=timezone.now() + timedelta(minutes=1)
    )
    assert outbox.deliver(message.pk).state == OutboxState.SENDING, "lease still held"
    OutboxMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now())
    assert outbox.sweep() == 1  # the immediate test backend delivers at once
    message.refresh_from_db()
    assert message.state == OutboxState.DELIVERED


def test_a_destination_is_rate_limited_and_deferred_messages_keep_their_attempts(db):
    messages = [_enqueue(f"m{i}", kind="test.throttled") for i in range(3)]
    states = [outbox.deliver(m.pk).state for m in messages]
    assert states == [OutboxState.DELIVERED, OutboxState.DELIVERED, OutboxState.QUEUED]
    deferred = OutboxMessage.objects.get(pk=messages[2].pk)
    assert deferred.attempts == 0
    assert deferred.next_attempt_at > timezone.now()


def test_a_call_of_two_requests_takes_two_tokens_of_the_destinations_limit(db):
    messages = [_enqueue(f"m{i}", kind="test.two_requests") for i in range(3)]
    states = [outbox.deliver(m.pk).state for m in messages]
    # A burst of 4 requests is two calls: the third waits for two tokens, about 2 s at 1/s.
    assert states == [OutboxState.DELIVERED, OutboxState.DELIVERED, OutboxState.QUEUED]
    deferred = OutboxMessage.objects.get(pk=messages[2].pk)
    assert deferred.next_attempt_at > timezone.now() + timedelta(seconds=1.5)


def test_backoff_grows_and_is_capped_at_an_hour():
    assert outbox.backoff(1) <= timedelta(seconds=10)
    assert timedelta(seconds=40) <= outbox.backoff(4) * 2
    assert outbox.backoff(30) <= timedelta(hours=1)


def test_a_destination_failing_for_ten_minutes_is_reported(db):
    message = _enqueue("lead-1", destination="bitrix24:1")
    BEHAVIOUR["lead-1"] = outbox.RetryableDelivery("503")
    outbox.deliver(message.pk)
    assert outbox.failing_destinations() == []
    DestinationHealth.objects.filter(destination="bitrix24:1").update(
        failing_since=timezone.now() - timedelta(minutes=11)
    )
    assert [d.destination for d in outbox.failing_destinations()] == ["bitrix24:1"]
    BEHAVIOUR.clear()
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    outbox.deliver(message.pk)
    assert outbox.failing_destinations() == []
