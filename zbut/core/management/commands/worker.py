"""`zbut worker`: the django-tasks database worker, plus a heartbeat that /healthz reads."""

from __future__ import annotations

import threading
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from zbut.core.health import start_heartbeat


class Command(DbWorkerCommand):
    help = "Run a task worker (django-tasks database backend) that reports its heartbeat."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        start_heartbeat(worker_id=options["worker_id"], stop=stop)
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
