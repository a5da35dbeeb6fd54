"""`python -m bench` (`make bench`): the benchmark figures, one line each, `name: value unit`.

history_append_per_s[DB]   events per second appended through ``record_events``, in batches of
                           1000 events per transaction spread over 100 projects.
audit_verify_1m_s[DB]      wall time of the real `zbut audit verify` command (a subprocess,
                           Django start-up included) over a history of 1 000 000 events.
import_100k_s[DB], import_peak_mb[DB], import_vs_django_import_export_ratio[DB]
                           a messy 100 000-row cp1251 base through the real `zbut import-base`:
                           the median wall time of 5 runs, their peak memory, and
                           django-import-export's time per row over ours (bench/imports.py).
portal_page_p95_ms[DB], live_latency_p99_ms[DB]
                           Data Base ONLINE's table page with each filter, and commit-to-SSE
                           latency under load on uvicorn (see bench/portal_live.py).
desk_claim_p95_ms[DB], desk_outcome_p95_ms[DB], desk_double_assignments[DB],
desk_outcomes_per_s[DB]    managers (50 on PostgreSQL, 10 on SQLite) claiming and recording
                           outcomes as fast as they can in a project of 1 000 000 companies
                           (see bench/desk.py).
handoff_backlog_1000_s[DB], handoff_duplicates[DB], handoff_latency_median_s[DB]
                           the hand-off to an emulated Bitrix24 (2 requests/s, burst 50) through
                           the real `zbut worker`s: a backlog of 1 000 transfers drained, the
                           leads beyond one per transfer, and the median commit-to-lead time of
                           single transfers (see bench/handoff.py).
machine_cpus, machine_python_loop_ms
                           printed first: the CPUs and the best of 5 runs of a fixed loop of
                           plain Python, so that figures taken on different machines can be
                           set side by side (the machines we get differ by up to 2x).

Every benchmark makes its own database (a temporary SQLite file, or a fresh PostgreSQL database
`zbut_bench_<pid>` on 127.0.0.1:5432 that is dropped afterwards) and migrates it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

from bench.databases import DATABASES, BenchDatabase, bench_database, postgresql_answers
from bench.desk import desk_figures
from bench.handoff import handoff_figures
from bench.imports import import_figures, make_base
from bench.notes import note
from bench.portal_live import portal_live_figures
from bench.portal_reports import figures as portal_report_figures

FIGURES = (
    "history_append",
    "audit_verify",
    "import",
    "portal_reports",
    "portal_live",
    "desk",
    "handoff",
)
IMPORT_ROWS = 100_000
APPEND_EVENTS = 200_000
VERIFY_EVENTS = 1_000_000
VERIFIED = re.compile(r"ok: (\d+) chains, (\d+) events intact")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", default=",".join(FIGURES), help=f"comma-separated figures: {', '.join(FIGURES)}"
    )
    parser.add_argument(
        "--databases", default=",".join(DATABASES), help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument(
        "--events",
        type=int,
        default=None,
        help=f"events per figure (default {APPEND_EVENTS} appended, {VERIFY_EVENTS} verified)",
    )
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--batch", type=int, default=1000, help="appended events per transaction")
    parser.add_argument(
        "--rows", type=int, default=IMPORT_ROWS, help=f"rows of the imported base ({IMPORT_ROWS})"
    )
    args = parser.parse_args(argv)
    figures = _choices(args.only, FIGURES, "--only")
    vendors = _choices(args.databases, DATABASES, "--databases")

    for name, value in machine_figures():
        _line(name, value)
    failed = False
    with tempfile.TemporaryDirectory(prefix="zbut-bench-base-") as files:
        for figure in figures:
            for vendor in vendors:
                failed |= not _figure(figure, vendor, args, files)
    return 1 if failed else 0


def machine_figures() -> list[tuple[str, str]]:
    """How fast this machine is, measured as `python -m timeit` would measure the loop."""
    loop = timeit.Timer("sum(i * i for i in range(5_000_000))")
    best = min(loop.repeat(repeat=5, number=1))
    return [
        ("machine_cpus", f"{os.cpu_count()} cpus"),
        ("machine_python_loop_ms", f"{best * 1000:.0f} ms"),
    ]


def _figure(figure: str, vendor: str, args: argparse.Namespace, files: str) -> bool:
    if vendor == "postgresql" and not postgresql_answers():
        for name in _names(figure, vendor, args):
            _line(name, "skipped (127.0.0.1:5432 does not answer)")
        return True
    if figure == "portal_live":
        for name, value in portal_live_figures(vendor):
            _line(name, value)
        return True
    if figure == "desk":
        for name, value in desk_figures(vendor):
            _line(name, value)
        return True
    if figure == "handoff":
        for name, value in handoff_figures(vendor):
            _line(name, value)
        return True
    if figure == "portal_reports":
        for name, value in portal_report_figures(vendor, companies=100_000, events=1_000_000):
            _line(name, value)
        return True
    if figure == "import":
        base = Path(files) / f"base-{args.rows}-cp1251.csv"
        if not base.exists():
            base = make_base(files, args.rows)
        for name, value in import_figures(vendor, base, args.rows):
            _line(name, value)
        return True
    with bench_database(vendor) as database:
        if figure == "history_append":
            events = args.events or APPEND_EVENTS
            result = _child(database, "append", events, args.projects, args.batch)
            _line(_name(figure, vendor, args), f"{result['per_s']:.0f} events/s")
            return True
        return _audit_verify(database, args.events or VERIFY_EVENTS, args)


def _choices(value: str, allowed: tuple[str, ...], option: str) -> list[str]:
    chosen = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in allowed]
    if unknown:
        raise SystemExit(
            f"{option}: unknown {', '.join(unknown)}; choose from {', '.join(allowed)}"
        )
    return chosen


def _names(figure: str, vendor: str, args: argparse.Namespace) -> list[str]:
    if figure == "portal_live":
        return [f"portal_page_p95_ms[{vendor}]", f"live_latency_p99_ms[{vendor}]"]
    if figure == "portal_reports":
        return [f"funnel_report_s[{vendor}]", f"export_100k_s[{vendor}]"]
    if figure == "desk":
        return [
            f"desk_claim_p95_ms[{vendor}]",
            f"desk_outcome_p95_ms[{vendor}]",
            f"desk_double_assignments[{vendor}]",
            f"desk_outcomes_per_s[{vendor}]",
        ]
    if figure == "handoff":
        return [
            f"handoff_backlog_1000_s[{vendor}]",
            f"handoff_duplicates[{vendor}]",
            f"handoff_latency_median_s[{vendor}]",
        ]
    if figure != "import":
        return [_name(figure, vendor, args)]
    return [
        _name(figure, vendor, args),
        f"import_peak_mb[{vendor}]",
        f"import_vs_django_import_export_ratio[{vendor}]",
    ]


def _name(figure: str, vendor: str, args: argparse.Namespace) -> str:
    if figure == "history_append":
        return f"history_append_per_s[{vendor}]"
    if figure == "import":
        return f"import_{_count(args.rows)}_s[{vendor}]"
    return f"audit_verify_{_count(args.events or VERIFY_EVENTS)}_s[{vendor}]"


def _count(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def _line(name: str, value: str) -> None:
    sys.stdout.write(f"{name}: {value}\n")
    sys.stdout.flush()


def _child(database: BenchDatabase, task: str, events: int, projects: int, batch: int) -> dict:
    command = [sys.executable, "-m", "bench.run", task, "--events", str(events)]
    command += ["--projects", str(projects), "--batch", str(batch)]
    done = subprocess.run(
        command, env=database.env(), capture_output=True, text=True, check=False, cwd=_root()
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"bench.run {task} failed on {database.vendor}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _audit_verify(database: BenchDatabase, events: int, args: argparse.Namespace) -> bool:
    made = _child(database, "generate", events, args.projects, 10_000)
    note(
        f"{database.vendor}: generated {made['events']} events through record_events "
        f"in {made['seconds']:.1f} s ({made['events'] / made['seconds']:.0f} events/s)"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [*_zbut(), "audit", "verify"],
        env=database.env(),
        capture_output=True,
        text=True,
        check=False,
        cwd=_root(),
    )
    seconds = time.perf_counter() - started
    found = VERIFIED.search(done.stdout)
    if done.returncode != 0 or found is None or int(found.group(2)) != made["events"]:
        _line(_name("audit_verify", database.vendor, args), "FAILED")
        sys.stderr.write(done.stdout + done.stderr)
        return False
    _line(_name("audit_verify", database.vendor, args), f"{seconds:.2f} s")
    return True


def _zbut() -> list[str]:
    script = Path(sys.executable).with_name("zbut")
    return [str(script)] if script.exists() else [sys.executable, "-m", "zbut.cli"]


def _root() -> str:
    return str(Path(__file__).resolve().parent.parent)


if __name__ == "__main__":
    raise SystemExit(main())
