"""Data Base ONLINE: the table page's p95 and the live stream's commit-to-arrival p99.

`portal_page_p95_ms[db]`: the table page (Django's test Client, in process) with each single
filter in turn, over 1 000 000 events of 100 000 companies (10 projects of 10 000).
`live_latency_p99_ms[db]`: a real `uvicorn --workers 2`; a load script holds M SSE connections
(httpx) spread over the projects while N writer threads append outcome events through
``record_event`` (the desk's own path, one transaction each) at about one per second each; the
latency of each (event, stream) pair is the time from the writer's commit returning to the
event's `id:` line arriving on that stream, both read from the machine's wall clock. The
writers run in a process of their own (`write`), so their ORM work does not hold the GIL of
the process that reads the 200 streams; that process also measures how late its own event
loop runs (`client_lag_p99`), the share of the latency that is the load script's, not Zbut's.

`python -m bench.portal_live prepare|page|latency|write` is a child run on DATABASE_URL; the
parent (`portal_live_figures`) makes the database and reads each child's last JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.databases import bench_database
from bench.notes import note

PROJECTS = 10
COMPANIES_PER_PROJECT = 10_000
EVENTS = 1_000_000
PAGE_REPEATS = 30
LOAD = {"postgresql": (50, 200), "sqlite": (5, 20)}  # writers, SSE connections
LATENCY_SECONDS = 30
ROOT = Path(__file__).resolve().parent.parent


def portal_live_figures(vendor: str, *, events: int = EVENTS) -> list[tuple[str, str]]:
    with bench_database(vendor) as database:
        env = database.env()
        started = time.perf_counter()
        _child(env, "prepare", "--events", str(events))
        note(f"{vendor}: {events} events over {PROJECTS * COMPANIES_PER_PROJECT} companies "
              f"made in {time.perf_counter() - started:.0f} s")  # fmt: skip
        page = _child(env, "page")
        for name, p95 in page["per_filter"].items():
            note(f"{vendor}: page p95 with {name or 'no filter'}: {p95:.1f} ms")
        writers, streams = LOAD[vendor]
        live = _child(env, "latency", "--writers", str(writers), "--streams", str(streams))
        note(f"{vendor}: {writers} writers, {streams} SSE connections, {live['events']} events, "
              f"{live['pairs']} deliveries ({live['missing']} missing), p50 {live['p50']:.0f} ms, "
              f"max {live['max']:.0f} ms; the load script's own event loop ran late by "
              f"p99 {live['client_lag_p99']:.0f} ms")  # fmt: skip
    return [
        (f"portal_page_p95_ms[{vendor}]", f"{page['p95']:.1f} ms"),
        (f"live_latency_p99_ms[{vendor}]", f"{live['p99']:.0f} ms"),
    ]


def _child(env: dict[str, str], task: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.portal_live", task, *args],
        env=env, capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"bench.portal_live {task} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the children -------------------------------------------------------------------------


def _prepare(events: int) -> dict:
    from django.core.management import call_command

    from bench import datagen
    from bench.run import _settle
    from zbut.accounts.services import create_user

    call_command("migrate", verbosity=0, interactive=False)
    world = datagen.build_world(projects=PROJECTS, companies_per_project=COMPANIES_PER_PROJECT)
    create_user(email="watcher@agency.ua", role="admin", full_name="Спостерігач")
    total = datagen.fill_history(world, total_events=events, batch=10_000)
    _settle()
    _analyze_companies()
    return {"events": total}


def _analyze_companies() -> None:
    """Give PostgreSQL the statistics of the new companies, as autovacuum does within a minute.

    ``_settle`` analyzes the history alone. Without statistics the planner guesses that a
    handful of companies match a category or region and drives the page's query from them
    into their events — here 100 000 index lookups, over a second — a state no running
    database stays in for long.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE bases_company, bases_companyphone, bases_companyemail")


def _page() -> dict:
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from zbut.accounts.models import User
    from zbut.projects.models import Assignment

    http = Client(HTTP_HOST="localhost")
    http.force_login(User.objects.get(email="watcher@agency.ua"))
    # A manager assigned to the project (the filter offers those); the bench projects have no
    # Phase rows, so the phase filter (a choice of the project's phases) is not measured here.
    actor = Assignment.objects.filter(project__slug="project-0").first().manager_id
    today = timezone.localdate().isoformat()
    filters = {
        "": "",
        "outcome": "outcome=warm",
        "category": "category=Будівництво",
        "region": "region=Київ",
        "manager": f"manager={actor}",
        "date range": f"date_from={today}&date_to={today}",
        "search": "q=Будмонтаж",
    }
    url = reverse("online", args=["project-0"])
    everything: list[float] = []
    per_filter: dict[str, float] = {}
    for name, query in filters.items():
        assert http.get(f"{url}?{query}").status_code == 200  # warm-up
        times = []
        for _ in range(PAGE_REPEATS):
            started = time.perf_counter()
            response = http.get(f"{url}?{query}")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and b'id="online-errors"' not in response.content
        per_filter[name] = _percentile(times, 95)
        everything += times
    return {"p95": _percentile(everything, 95), "per_filter": per_filter}


def _latency(writers: int, streams: int) -> dict:
    from django.conf import settings
    from django.test import Client

    from zbut.accounts.models import User

    http = Client()
    http.force_login(User.objects.get(email="watcher@agency.ua"))
    cookie = {settings.SESSION_COOKIE_NAME: http.cookies[settings.SESSION_COOKIE_NAME].value}
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "zbut.asgi:application", "--workers", "2",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "DB_POOL_MAX_SIZE": "20"},  # 200 viewers, 2 processes
    )  # fmt: skip
    try:
        _wait_for(port)
        return asyncio.run(_load(port, cookie, writers, streams))
    finally:
        server.terminate()
        server.wait(timeout=20)


async def _load(port: int, cookie: dict, writers: int, streams: int) -> dict:
    import httpx

    slugs = [f"project-{i}" for i in range(PROJECTS)]
    arrivals: dict[tuple[int, int], float] = {}  # (stream, event id) -> arrival
    opened = [asyncio.Event() for _ in range(streams)]
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", cookies=cookie, timeout=httpx.Timeout(10.0, read=None),
        limits=httpx.Limits(max_connections=streams + 10),
    ) as client:  # fmt: skip
        readers = [
            asyncio.create_task(_read(client, n, slugs[n % PROJECTS], arrivals, opened[n]))
            for n in range(streams)
        ]
        await asyncio.wait_for(asyncio.gather(*(o.wait() for o in opened)), 60)
        lags: list[float] = []
        probe = asyncio.create_task(_probe_lag(lags))
        commits = await _run_writers(writers)
        await asyncio.sleep(3)  # let the last events arrive
        probe.cancel()
        for reader in readers:
            reader.cancel()
        await asyncio.gather(probe, *readers, return_exceptions=True)
    latencies, missing = [], 0
    for event_id, (project_index, committed) in commits.items():
        for n in range(project_index, streams, PROJECTS):
            arrived = arrivals.get((n, event_id))
            if arrived is None:
                missing += 1
            else:
                latencies.append((arrived - committed) * 1000)
    return {
        "events": len(commits),
        "pairs": len(latencies),
        "missing": missing,
        "p50": _percentile(latencies, 50),
        "p99": _percentile(latencies, 99),
        "max": max(latencies, default=0.0),
        "client_lag_p99": _percentile(lags, 99),
    }


async def _run_writers(writers: int) -> dict[int, tuple[int, float]]:
    """Run the writers in a child process; their commits: event id -> (project, commit time)."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.portal_live", "write", "--writers", str(writers),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError("bench.portal_live write failed")
    commits = json.loads(out.decode().strip().splitlines()[-1])
    return {int(event_id): (index, at) for event_id, (index, at) in commits.items()}


async def _probe_lag(lags: list[float], every: float = 0.01) -> None:
    """How late this event loop wakes from a short sleep: time lost to the load script."""
    while True:
        started = time.perf_counter()
        await asyncio.sleep(every)
        lags.append((time.perf_counter() - started - every) * 1000)


async def _read(client, n: int, slug: str, arrivals: dict, opened: asyncio.Event) -> None:
    async with client.stream("GET", f"/p/{slug}/online/stream") as response:
        assert response.status_code == 200, response.status_code
        opened.set()
        async for line in response.aiter_lines():
            if line.startswith("id: "):
                arrivals[(n, int(line[4:]))] = time.time()


def _writers(writers: int) -> dict:
    slugs = [f"project-{i}" for i in range(PROJECTS)]
    commits: dict[int, tuple[int, float]] = {}
    stop = threading.Event()
    threads = [
        threading.Thread(target=_write, args=(w, slugs, commits, stop), daemon=True)
        for w in range(writers)
    ]
    for thread in threads:
        thread.start()
    time.sleep(LATENCY_SECONDS)
    stop.set()
    for thread in threads:
        thread.join()
    return commits


def _write(number: int, slugs: list[str], commits: dict, stop: threading.Event) -> None:
    from django.db import connection, transaction

    from zbut.accounts.models import User
    from zbut.bases.models import Company
    from zbut.history.models import EventKind
    from zbut.history.services import record_event
    from zbut.projects.models import Project

    rng = random.Random(number)
    index = number % PROJECTS
    project = Project.objects.get(slug=slugs[index])
    company_ids = list(Company.objects.filter(project=project).values_list("id", flat=True)[:500])
    actor = User.objects.get(email="watcher@agency.ua")
    while not stop.wait(rng.uniform(0.5, 1.5)):
        company = Company(pk=rng.choice(company_ids), project=project)
        with transaction.atomic(durable=True):
            event = record_event(
                kind=EventKind.OUTCOME, project=project, company=company, actor=actor,
                payload={"outcome": "warm", "note": "bench", "phase": 2},
            )  # fmt: skip
        commits[event.pk] = (index, time.time())
    connection.close()


def _percentile(values: list[float], percent: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("uvicorn did not start")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.portal_live")
    parser.add_argument("task", choices=["prepare", "page", "latency", "write"])
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--streams", type=int, default=200)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zbut.settings")
    import django

    django.setup()
    if args.task == "prepare":
        result = _prepare(args.events)
    elif args.task == "page":
        result = _page()
    elif args.task == "write":
        result = _writers(args.writers)
    else:
        result = _latency(args.writers, args.streams)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
