"""desk_claim_p95_ms[DB], desk_outcome_p95_ms[DB], desk_double_assignments[DB],
desk_outcomes_per_s[DB]: managers working one big project's queue at once (issue 5).

A system project of 1 000 000 approved companies, each with a phone and its history (the
event of its arrival), its queue synced, and an open phase. Then MANAGERS simulated managers
(50 on PostgreSQL, 10 on SQLite), each a process of its own with its own connection, claim
the next company (``claim_next``) and record an outcome for it (``record_outcome``, the seven
outcomes in the norms' proportions, "interested" with its lead, "callback" with a date) as fast
as they can for ``DURATION_S`` after a warm-up of ``WARM_UP_S``: the load of a whole agency
with no time spent on the phone, so that throughput is what the machine gives.

desk_claim_p95_ms, desk_outcome_p95_ms   the 95th percentile of one call of each service as
                                         the server runs it (the time inside the service, the
                                         process's waits for the CPUs included)
desk_double_assignments                  claims of a company another manager had been given
                                         (every outcome takes the company out of the queue or,
                                         a callback, out of it until its date: none is due again)
desk_outcomes_per_s                      outcomes recorded per second, all managers together

`python -m bench.desk --companies N --managers M` runs the body on DATABASE_URL and prints one
JSON object; ``desk_figures(vendor)`` runs it in a throw-away database.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

COMPANIES = 1_000_000
MANAGERS = {"postgresql": 50, "sqlite": 10}
WARM_UP_S = 5.0
DURATION_S = 20.0
CHUNK = 20_000
OUTCOMES = (
    "interested", "warm", "callback", "existing", "hostile", "not_interested", "mispositioned",
)  # fmt: skip
WEIGHTS = (4, 5, 8, 3, 1, 45, 34)  # the middle of each outcome's norm (PRODUCT.md)


def desk_figures(vendor: str) -> Iterator[tuple[str, str]]:
    from bench.databases import bench_database
    from bench.notes import note

    managers = MANAGERS[vendor]
    with bench_database(vendor) as database:
        command = [sys.executable, "-m", "bench.desk", "--companies", str(COMPANIES),
                   "--managers", str(managers)]  # fmt: skip
        done = subprocess.run(command, env=database.env(), capture_output=True, text=True,
                              check=False)  # fmt: skip
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-4000:])
        raise SystemExit(f"bench.desk failed on {vendor}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    note(
        f"{vendor}: {result['companies']} companies built in {result['build_s']:.0f} s; "
        f"{managers} managers for {DURATION_S:.0f} s: {result['outcomes']} outcomes, "
        f"claim p50 {result['claim_p50_ms']:.1f} ms, "
        f"outcome p50 {result['outcome_p50_ms']:.1f} ms"
    )
    yield f"desk_claim_p95_ms[{vendor}]", f"{result['claim_p95_ms']:.1f} ms"
    yield f"desk_outcome_p95_ms[{vendor}]", f"{result['outcome_p95_ms']:.1f} ms"
    yield f"desk_double_assignments[{vendor}]", str(result["double_assignments"])
    yield f"desk_outcomes_per_s[{vendor}]", f"{result['outcomes_per_s']:.0f} outcomes/s"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.desk")
    parser.add_argument("--companies", type=int, default=COMPANIES)
    parser.add_argument("--managers", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=DURATION_S)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zbut.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    project_id, manager_ids = _build(args.companies, args.managers)
    build_s = time.perf_counter() - started
    connections.close_all()  # each manager's process opens its own

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    begin = time.time() + 1.0  # every process has started and connected by then
    processes = [
        context.Process(target=_manager, args=(project_id, pk, begin, args.seconds, results, n))
        for n, pk in enumerate(manager_ids)
    ]
    for process in processes:
        process.start()
    work = [results.get() for _process in processes]
    for process in processes:
        process.join()
    errors = [w["error"] for w in work if w["error"]]
    if errors:
        raise SystemExit(f"a manager failed: {errors[0]}")
    claims = sorted(ms for w in work for ms in w["claim_ms"])
    outcomes = sorted(ms for w in work for ms in w["outcome_ms"])
    given = [company for w in work for company in w["companies"]]
    result = {
        "companies": args.companies,
        "build_s": build_s,
        "outcomes": len(outcomes),
        "claim_p50_ms": _percentile(claims, 50),
        "claim_p95_ms": _percentile(claims, 95),
        "outcome_p50_ms": _percentile(outcomes, 50),
        "outcome_p95_ms": _percentile(outcomes, 95),
        "double_assignments": len(given) - len(set(given)),
        "outcomes_per_s": sum(w["counted_outcomes"] for w in work) / args.seconds,
    }
    sys.stdout.write(json.dumps(result) + "\n")


def _percentile(values: list[float], percent: int) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(len(values) * percent / 100))]


def _build(companies: int, managers: int) -> tuple[int, list[int]]:
    """The project, its approved base with phones and history, its managers and queue."""
    from django.db import connection, transaction

    from zbut.accounts.services import create_client, create_user
    from zbut.bases.bulk import insert_rows
    from zbut.bases.import_writer import COMPANY_COLUMNS, PHONE_COLUMNS
    from zbut.bases.models import BaseState, Company, CompanyPhone
    from zbut.desk.queue import sync_queue
    from zbut.history.models import EventKind
    from zbut.history.services import NewEvent, record_events
    from zbut.projects.services import assign_manager, create_project, open_phase

    today = datetime.now(UTC).date()
    client = create_client(slug="bench-desk", name="ТОВ «Бенч»")
    project = create_project(client=client, slug="bench-desk", kind="system", name="Бенч",
                             contracted_cycles=2_000_000)  # fmt: skip
    people = [create_user(email=f"m{i}@agency.ua", role="manager", full_name=f"Менеджер {i}")
              for i in range(managers)]  # fmt: skip
    for manager in people:
        assign_manager(project=project, manager=manager)
    open_phase(project=project, starts_on=today - timedelta(days=1),
               ends_on=today + timedelta(days=30))  # fmt: skip
    approved = str(BaseState.APPROVED)
    for start in range(0, companies, CHUNK):
        numbers = range(start, min(start + CHUNK, companies))
        with transaction.atomic(durable=True):
            ids = insert_rows(
                Company,
                COMPANY_COLUMNS,
                (
                    (
                        client.pk,
                        project.pk,
                        f"Компанія {n}",
                        "ТОВ",
                        "",
                        f"вул. Соборна, {n % 200}",
                        f"Регіон {n % 24}",
                        f"Категорія {n % 12}",
                        "бенч",
                        "Петренко Олег",
                        "{}",
                        approved,
                    )
                    for n in numbers
                ),
                count=len(numbers),
                returning_ids=True,
                json_encoded=True,
            )
            insert_rows(
                CompanyPhone,
                PHONE_COLUMNS,
                (
                    (client.pk, pk, f"+38067{1_000_000 + n}", "", "mobile", "Київстар")
                    for pk, n in zip(ids, numbers, strict=True)
                ),
            )
            record_events(
                project=project,
                drafts=[
                    NewEvent(
                        kind=EventKind.COMPANY_ADDED, company_id=pk, payload={"source": "бенч"}
                    )
                    for pk in ids
                ],
                returning=False,
            )
    sync_queue(project=project)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return project.pk, [manager.pk for manager in people]


def _manager(
    project_id: int, manager_id: int, begin: float, seconds: float, results, number: int
) -> None:
    """One manager: claim, record an outcome, again, until the time is up."""
    from zbut.accounts.models import User
    from zbut.desk.queue import claim_next
    from zbut.desk.services import record_outcome
    from zbut.projects.models import Project

    rng = random.Random(number)
    work: dict = {"claim_ms": [], "outcome_ms": [], "companies": [], "counted_outcomes": 0,
                  "error": ""}  # fmt: skip
    try:
        project = Project.objects.get(pk=project_id)
        manager = User.objects.get(pk=manager_id)
        callback_on = datetime.now(UTC).date() + timedelta(days=14)
        time.sleep(max(0.0, begin - time.time()))
        measured_from, end = begin + WARM_UP_S, begin + WARM_UP_S + seconds
        while (now := time.time()) < end:
            measured = now >= measured_from
            started = time.perf_counter()
            item = claim_next(project=project, manager=manager)
            claimed = time.perf_counter()
            if item is None:
                break
            outcome = rng.choices(OUTCOMES, WEIGHTS)[0]
            record_outcome(
                project=project,
                company_id=item.company_id,
                manager=manager,
                outcome=outcome,
                note="Вивчають КП",
                callback_on=callback_on if outcome == "callback" else None,
                contact_person="Петренко Олег" if outcome == "interested" else "",
                lead_phone="+380671234567" if outcome == "interested" else "",
            )
            done = time.perf_counter()
            work["companies"].append(item.company_id)
            if measured and time.time() <= end:
                work["claim_ms"].append((claimed - started) * 1000)
                work["outcome_ms"].append((done - claimed) * 1000)
                work["counted_outcomes"] += 1
    except Exception as error:  # reported by the parent, which fails the benchmark
        work["error"] = f"{type(error).__name__}: {error}"
    results.put(work)


if __name__ == "__main__":
    main()
