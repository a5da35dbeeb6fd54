"""Liveness of the parts a request cannot see: the database and the task workers."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from zbut.core import periodic
from zbut.core.models import WorkerHeartbeat


@dataclass(frozen=True)
class HealthReport:
    database_ok: bool
    worker_ok: bool
    last_worker_beat: datetime | None

    @property
    def is_healthy(self) -> bool:
        return self.database_ok and self.worker_ok

    def as_dict(self) -> dict[str, object]:
        return {
            "status": "ok" if self.is_healthy else "down",
            "database": "ok" if self.database_ok else "down",
            "worker": "ok" if self.worker_ok else "down",
            "last_worker_beat": self.last_worker_beat.isoformat()
            if self.last_worker_beat
            else None,
        }


def check_health() -> HealthReport:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        last_beat = (
            WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
        )
    except DatabaseError:
        return HealthReport(database_ok=False, worker_ok=False, last_worker_beat=None)
    max_age = timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    worker_ok = last_beat is not None and timezone.now() - last_beat <= max_age
    return HealthReport(database_ok=True, worker_ok=worker_ok, last_worker_beat=last_beat)


def beat(*, worker_id: str, started_at: datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "beat_at": timezone.now(),
        },
    )


def heartbeat_job(*, worker_id: str) -> periodic.Job:
    """The worker's sign of life for /healthz, every WORKER_HEARTBEAT_SECONDS."""
    started_at = timezone.now()

    def run() -> None:
        # When the database is down there is nothing to record; /healthz reports it anyway.
        with contextlib.suppress(DatabaseError):
            beat(worker_id=worker_id, started_at=started_at)

    return periodic.Job("heartbeat", settings.WORKER_HEARTBEAT_SECONDS, run)


def start_heartbeat(*, worker_id: str, stop: threading.Event) -> threading.Thread:
    """Beat in a daemon thread until ``stop`` is set (the worker runs it with its other jobs)."""
    return periodic.start([heartbeat_job(worker_id=worker_id)], stop=stop, tick=0.05)
