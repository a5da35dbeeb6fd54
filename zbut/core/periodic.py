"""Jobs every task worker runs on a timer beside its tasks: heartbeat, outbox sweep, alerts.

Apps register their jobs in AppConfig.ready(); each worker runs them in one daemon thread.
Every job must be safe to run by several workers at once (conditional updates, row locks).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections

logger = logging.getLogger("zbut.periodic")


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[], object]


_JOBS: dict[str, Job] = {}


def register(job: Job) -> None:
    _JOBS[job.name] = job


def registered() -> list[Job]:
    return list(_JOBS.values())


def start(jobs: list[Job], *, stop: threading.Event, tick: float = 1.0) -> threading.Thread:
    """Run each job every ``every_seconds`` until ``stop`` is set; a failing job is logged."""
    due = {job.name: 0.0 for job in jobs}

    def loop() -> None:
        while not stop.is_set():
            now = time.monotonic()
            for job in jobs:
                if now < due[job.name]:
                    continue
                due[job.name] = now + job.every_seconds
                try:
                    job.run()
                except Exception:
                    logger.exception("periodic job failed job=%s", job.name)
                finally:
                    connections.close_all()
            stop.wait(tick)

    thread = threading.Thread(target=loop, name="zbut-periodic", daemon=True)
    thread.start()
    return thread
