"""One benchmark body in its own process, on the database named by DATABASE_URL.

`python -m bench.run append|generate ...`; prints one JSON object on its last line. The parent
(`python -m bench`) makes the database, sets the environment and reads the result.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("task", choices=["append", "generate"])
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--companies", type=int, default=100, help="companies per project")
    parser.add_argument("--batch", type=int, default=1000, help="events per transaction")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zbut.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bench import datagen

    call_command("migrate", verbosity=0, interactive=False)
    world = datagen.build_world(projects=args.projects, companies_per_project=args.companies)
    if args.task == "append":
        result = _append(world, events=args.events, batch=args.batch)
    else:
        started = time.perf_counter()
        total = datagen.fill_history(world, total_events=args.events, batch=args.batch)
        result = {"events": total, "seconds": time.perf_counter() - started}
        _settle()
    sys.stdout.write(json.dumps(result) + "\n")


def _append(world, *, events: int, batch: int) -> dict:
    from django.db import transaction

    from bench.datagen import desk_batches
    from zbut.history.services import record_events

    batches = list(desk_batches(world, events=events, batch=batch))  # made before the clock
    started = time.perf_counter()
    for bench, drafts in batches:
        with transaction.atomic(durable=True):
            record_events(project=bench.project, drafts=drafts)
    seconds = time.perf_counter() - started
    return {"events": events, "seconds": seconds, "per_s": events / seconds}


def _settle() -> None:
    """Leave the database as a running one is: statistics known, the WAL checkpointed."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE history_event")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


if __name__ == "__main__":
    main()
