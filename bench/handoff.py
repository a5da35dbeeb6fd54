"""The hand-off to the client's Bitrix24 (issue #7, point 8): a backlog drained, a lead's wait.

Both parts run the product end to end: managers' `interested` outcomes recorded through the
desk's own services (``claim_next``, then ``record_outcome``, which writes the transfer and its
outbox message in its transaction), the real `zbut worker` processes that `zbut run` starts
(``WORKERS`` of them, as the production example in the README runs), our Bitrix24 client over
real HTTP, and the Bitrix24 emulator of the tests (tests/emulators/bitrix24.py) on a local port,
enforcing the portal's leaky bucket of 2 requests a second with a burst of 50. The emulator runs
in this process, so its leads, their storing times and its requests are read directly.

handoff_backlog_1000_s[DB]   seconds from starting the workers to the moment the emulator has
                             stored a lead for every one of 1 000 transfers, recorded while no
                             worker ran (worker start-up counted), on a fresh database.
handoff_duplicates[DB]       leads in the emulator beyond one per transfer, over both parts:
                             leads carrying an ORIGIN_ID that another lead already carries, plus
                             leads whose ORIGIN_ID is none of our transfers'.
handoff_latency_median_s[DB] on another fresh database and portal, with the workers already
                             running and nothing queued: LATENCY_TRANSFERS outcomes recorded one
                             at a time, each once the one before is delivered and a random
                             0.3-0.9 s later; the median time from ``record_outcome`` returning
                             (committed, its on-commit hand-over to the task queue done) to the
                             emulator storing the lead, both read from the machine's wall clock.

`python -m bench.handoff prepare|interested|settle` is a child run on DATABASE_URL; the parent
(``handoff_figures``) makes the databases, runs the portal and the workers, and reads each
child's last JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from bench.databases import BenchDatabase, bench_database
from bench.notes import note
from tests.emulators.bitrix24 import Portal, RecordedRequest, running_bitrix24

BACKLOG = 1000
LATENCY_TRANSFERS = 25
WORKERS = 2
PORTAL_RATE, PORTAL_BURST = 2.0, 50  # issue #7: "2 requests/s with a burst of 50"
DRAIN_TIMEOUT_S = 300
SETTLE_TIMEOUT_S = 120
CLIENT_SLUG = "bench-handoff"
PROJECT_SLUG = "bench-handoff"
MANAGER_EMAIL = "manager@handoff.bench"
ROOT = Path(__file__).resolve().parent.parent


def handoff_figures(vendor: str) -> Iterator[tuple[str, str]]:
    """The three figures of one database kind, once the backlog part and the latency part ran."""
    backlog = _backlog(vendor)
    latency = _latency(vendor)
    duplicates = backlog["duplicates"] + latency["duplicates"]
    drained = (
        f"{backlog['seconds']:.1f} s"
        if backlog["seconds"] is not None
        else f"not drained in {DRAIN_TIMEOUT_S} s ({backlog['leads']} of {BACKLOG} leads)"
    )
    yield f"handoff_backlog_{BACKLOG}_s[{vendor}]", drained
    yield f"handoff_duplicates[{vendor}]", str(duplicates)
    yield f"handoff_latency_median_s[{vendor}]", f"{latency['median']:.2f} s"


def _backlog(vendor: str) -> dict:
    with (
        bench_database(vendor) as database,
        running_bitrix24(rate=PORTAL_RATE, burst=PORTAL_BURST) as portal,
    ):
        env = database.env()
        _child(env, "prepare", "--companies", str(BACKLOG), "--webhook", portal.webhook_url)
        made = _child(env, "interested", "--count", str(BACKLOG))
        note(f"{vendor}: {BACKLOG} transfers recorded through the desk with no worker running, "
              f"in {made['seconds']:.0f} s")  # fmt: skip
        keys = set(made["commits"])
        started, cpu = time.time(), time.process_time()
        workers = _start_workers(database)
        try:
            done_at = _wait_for_leads(portal, keys, timeout=DRAIN_TIMEOUT_S)
            cpu = time.process_time() - cpu  # the emulator's (and this loop's) share of the CPU
            settled = _child(env, "settle", "--timeout", str(SETTLE_TIMEOUT_S))
        finally:
            _stop_workers(workers)
        duplicates = _duplicates(portal, keys)
        stored = _first_stored(portal, keys)
        _note_delivery(vendor, portal, settled)
        times = sorted(at - started for at in stored.values())
        if times:
            marks = [(n, times[n - 1]) for n in (1, 250, 500, 750, BACKLOG) if n <= len(times)]
            note(f"{vendor}: seconds after the workers started until the portal held N leads: "
                  f"{', '.join(f'{n}: {at:.1f}' for n, at in marks)}; the emulator's process "
                  f"used {cpu:.1f} s of CPU meanwhile")  # fmt: skip
    seconds = done_at - started if done_at is not None else None
    return {"seconds": seconds, "leads": len(stored), "duplicates": duplicates}


def _latency(vendor: str) -> dict:
    count = LATENCY_TRANSFERS + 1  # the first is a warm-up, not counted
    with (
        bench_database(vendor) as database,
        running_bitrix24(rate=PORTAL_RATE, burst=PORTAL_BURST) as portal,
    ):
        env = database.env()
        _child(env, "prepare", "--companies", str(count), "--webhook", portal.webhook_url)
        workers = _start_workers(database)
        try:
            made = _child(env, "interested", "--count", str(count), "--one-by-one",
                          "--workers", str(WORKERS))  # fmt: skip
            keys = set(made["commits"])
            _wait_for_leads(portal, keys, timeout=60)
            settled = _child(env, "settle", "--timeout", str(SETTLE_TIMEOUT_S))
        finally:
            _stop_workers(workers)
        stored = _first_stored(portal, keys)
        duplicates = _duplicates(portal, keys)
        _note_delivery(vendor, portal, settled)
    latencies = sorted(
        stored[key] - committed
        for key, committed in made["commits"].items()
        if key != made["warm_up"] and key in stored
    )
    missing = LATENCY_TRANSFERS - len(latencies)
    if missing:
        raise SystemExit(f"bench.handoff: {missing} leads never reached the emulator on {vendor}")
    note(f"{vendor}: commit-to-lead over {len(latencies)} transfers: min {latencies[0]:.2f} s, "
          f"max {latencies[-1]:.2f} s; record_outcome itself took a median "
          f"{statistics.median(made['service_ms']):.0f} ms")  # fmt: skip
    return {"median": statistics.median(latencies), "duplicates": duplicates}


def _start_workers(database: BenchDatabase) -> list[subprocess.Popen[bytes]]:
    """`zbut worker` processes, started as `zbut run` starts them; their logs go to a file."""
    log = open(Path(database.var_dir) / "workers.log", "ab")  # noqa: SIM115 - the children write it
    command = [sys.executable, "-m", "zbut.cli", "worker", "--no-reload", "--verbosity", "0"]
    with log:
        return [
            subprocess.Popen(command, env=database.env(), stdout=log, stderr=log, cwd=ROOT)
            for _ in range(WORKERS)
        ]


def _stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _wait_for_leads(portal: Portal, keys: set[str], *, timeout: float) -> float | None:
    """The wall-clock time the last of ``keys`` got its lead, or None after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stored = _first_stored(portal, keys)
        if len(stored) == len(keys):
            return max(stored.values())
        time.sleep(0.1)
    return None


def _first_stored(portal: Portal, keys: set[str]) -> dict[str, float]:
    """When each transfer (by its ORIGIN_ID) first got a lead in the portal."""
    stored: dict[str, float] = {}
    for lead in list(portal.leads.values()):
        key = lead.fields.get("ORIGIN_ID", "")
        if key in keys:
            stored[key] = min(lead.stored_at, stored.get(key, lead.stored_at))
    return stored


def _duplicates(portal: Portal, keys: set[str]) -> int:
    origins = Counter(lead.fields.get("ORIGIN_ID", "") for lead in list(portal.leads.values()))
    extra = sum(count - 1 for key, count in origins.items() if key in keys)
    strangers = sum(count for key, count in origins.items() if key not in keys)
    return extra + strangers


def _note_delivery(vendor: str, portal: Portal, settled: dict) -> None:
    """What the delivery cost: the portal's requests and refusals, the batches, the outbox."""
    refused = Counter(request.status for request in portal.requests if request.status != 200)
    adds = [_lead_adds(request) for request in portal.requests if request.status == 200]
    adds = sorted(count for count in adds if count) or [0]
    note(f"{vendor}: {len(portal.requests)} requests to the portal, {sum(refused.values())} "
          f"refused (by HTTP status: {dict(refused)}); {len(adds)} batches added leads, "
          f"a median {statistics.median(adds):.0f} (max {adds[-1]}) each")  # fmt: skip
    note(f"{vendor}: outbox {settled['states']}, {settled['attempts']} delivery attempts for "
          f"{settled['messages']} messages, {settled['tasks']} worker tasks run")  # fmt: skip


def _lead_adds(request: RecordedRequest) -> int:
    commands = request.params.get("cmd") if request.method == "batch" else None
    if not isinstance(commands, dict):
        return int(request.method == "crm.lead.add")
    return sum(str(command).startswith("crm.lead.add?") for command in commands.values())


def _child(env: dict[str, str], task: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.handoff", task, *args],
        env=env, capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"bench.handoff {task} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the children -------------------------------------------------------------------------


def _prepare(companies: int, webhook: str) -> dict:
    """A client connected to the emulated portal, its project with a phase open today, a
    manager assigned to it, and ``companies`` approved companies, each with its own contacts."""
    from django.core.management import call_command
    from django.utils import timezone

    from zbut.accounts.services import create_client, create_user
    from zbut.bases.models import BaseState, PhoneKind
    from zbut.bases.services import CompanyDraft, PhoneDraft, add_companies
    from zbut.handoff.services import connect_bitrix24
    from zbut.projects.services import assign_manager, create_project, open_phase

    call_command("migrate", verbosity=0, interactive=False)
    client = create_client(slug=CLIENT_SLUG, name="ТОВ «Клієнт бенчмарку»")
    project = create_project(client=client, slug=PROJECT_SLUG, kind="system", name="Передача")
    manager = create_user(email=MANAGER_EMAIL, role="manager", full_name="Олена Менеджер")
    assign_manager(project=project, manager=manager)
    today = timezone.localdate()
    open_phase(project=project, starts_on=today, ends_on=today + timedelta(days=7))
    drafts = [
        CompanyDraft(
            name=f"Будмонтаж {i}",
            legal_form="ТОВ",
            address=f"м. Київ, вул. Січова, {i}",
            contact_person="Петренко Олег",
            phones=[PhoneDraft(f"+38067{1_000_000 + i}", PhoneKind.MOBILE, "Київстар")],
            emails=[f"office{i}@budmontazh.ua"],
        )
        for i in range(companies)
    ]
    add_companies(project=project, drafts=drafts, base_state=BaseState.APPROVED)
    connect_bitrix24(client=client, webhook_url=webhook)
    return {"companies": companies}


def _interested(count: int, *, one_by_one: bool, workers: int) -> dict:
    """``count`` `interested` outcomes as a manager gives them at the desk.

    With ``one_by_one`` (the latency part) the workers are waited for first, and each outcome
    waits for the one before to be delivered, then a random 0.3-0.9 s; the first is a warm-up.
    """
    from zbut.accounts.models import User
    from zbut.projects.models import Project

    project = Project.objects.get(slug=PROJECT_SLUG)
    manager = User.objects.get(email=MANAGER_EMAIL)
    if one_by_one:
        _wait_for_workers(workers)
    rng = random.Random(7)
    commits: dict[str, float] = {}
    service_ms: list[float] = []
    started = time.perf_counter()
    for _ in range(count):
        key, company_id, committed, took = _record_interested(project, manager)
        commits[key] = committed
        service_ms.append(took * 1000)
        if one_by_one:
            _wait_until_delivered(company_id)
            time.sleep(rng.uniform(0.3, 0.9))
    seconds = time.perf_counter() - started
    warm_up = next(iter(commits)) if one_by_one else None
    return {"commits": commits, "seconds": seconds, "service_ms": service_ms, "warm_up": warm_up}


def _record_interested(project: object, manager: object) -> tuple[str, int, float, float]:
    """Claim the next company and record `interested`; its outbox key, id, commit time, cost."""
    from zbut.bases.outcomes import Outcome
    from zbut.core.models import OutboxMessage
    from zbut.desk.queue import claim_next
    from zbut.desk.services import record_outcome
    from zbut.handoff.services import BITRIX24_TRANSFER

    item = claim_next(project=project, manager=manager)
    if item is None:
        raise SystemExit("bench.handoff: the queue ran out of companies")
    phone = item.company.phones.values_list("e164", flat=True).first()
    before = time.time()
    record_outcome(
        project=project, company_id=item.company_id, manager=manager,
        outcome=Outcome.INTERESTED, note="Готові до зустрічі в четвер",
        contact_person="Петренко Олег", lead_phone=phone,
    )  # fmt: skip
    committed = time.time()  # the durable transaction has committed, its on-commit work done
    message = OutboxMessage.objects.get(kind=BITRIX24_TRANSFER, company_id=item.company_id)
    return message.idempotency_key, item.company_id, committed, committed - before


def _wait_for_workers(workers: int, timeout: float = 60) -> None:
    """Every worker has beaten once: its Django is up and its task loop is about to run."""
    from zbut.core.models import WorkerHeartbeat

    deadline = time.monotonic() + timeout
    while WorkerHeartbeat.objects.count() < workers:
        if time.monotonic() > deadline:
            raise SystemExit("bench.handoff: the workers did not start")
        time.sleep(0.1)


def _wait_until_delivered(company_id: int, timeout: float = 30) -> None:
    from zbut.handoff.models import Transfer

    deadline = time.monotonic() + timeout
    delivered = Transfer.objects.filter(company_id=company_id, bitrix24_lead_id__isnull=False)
    while not delivered.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench.handoff: company {company_id} was not delivered in time")
        time.sleep(0.02)


def _settle(timeout: float) -> dict:
    """Wait until no outbox message is still to go; how the messages ended and what it took."""
    from django.db.models import Sum
    from django_tasks_db.models import DBTaskResult

    from zbut.core.models import OutboxMessage, OutboxState

    finished = [OutboxState.DELIVERED, OutboxState.DEAD]
    deadline = time.monotonic() + timeout
    while OutboxMessage.objects.exclude(state__in=finished).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    states = Counter(OutboxMessage.objects.values_list("state", flat=True))
    attempts = OutboxMessage.objects.aggregate(total=Sum("attempts"))["total"] or 0
    return {
        "states": dict(states),
        "messages": sum(states.values()),
        "attempts": attempts,
        "tasks": DBTaskResult.objects.count(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.handoff")
    parser.add_argument("task", choices=["prepare", "interested", "settle"])
    parser.add_argument("--companies", type=int, default=BACKLOG)
    parser.add_argument("--webhook", default="")
    parser.add_argument("--count", type=int, default=BACKLOG)
    parser.add_argument("--one-by-one", action="store_true")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--timeout", type=float, default=SETTLE_TIMEOUT_S)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zbut.settings")
    import django

    django.setup()
    if args.task == "prepare":
        result = _prepare(args.companies, args.webhook)
    elif args.task == "interested":
        result = _interested(args.count, one_by_one=args.one_by_one, workers=args.workers)
    else:
        result = _settle(args.timeout)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
