"""`zbut worker`: the django-tasks database worker, plus its periodic jobs (heartbeat for
/healthz, outbox sweep, alerts)."""

from __future__ import annotations

import threading
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from zbut.core import periodic
from zbut.core.health import heartbeat_job


class Command(DbWorkerCommand):
    help = "Run a task worker (django-tasks database backend) that reports its heartbeat."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        jobs = [heartbeat_job(worker_id=options["worker_id"]), *periodic.registered()]
        periodic.start(jobs, stop=stop)
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
