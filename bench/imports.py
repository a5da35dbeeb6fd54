"""The import benchmark: a messy 100 000-row cp1251 base through `zbut import-base`.

import_100k_s[DB]       wall time of the real `zbut import-base PROJECT FILE --json` (a
                        subprocess, Django start-up included) on a migrated database holding one
                        client and its empty project: reading, normalising, dedup, the
                        one-transaction write of companies, phones, e-mails, issues and events;
                        the median of OUR_RUNS runs, each on a fresh database, after
                        one untimed run (WARM_UP_RUNS) on that kind of database.
import_peak_mb[DB]      peak memory of that process and the worker processes it forks to judge
                        rows: the largest of each run's own peak RSS (``wait4``) and of the
                        peak of the tree's summed PSS (proportional set size: a page the
                        workers share with it is counted once in all), sampled every 50 ms
                        in the untimed runs only. Reading a process's PSS walks its memory
                        map under the lock its page faults need: sampled, the same import
                        took 5.4–8.3 s instead of 4.8–5.1 s, its two cores no longer busy.
import_vs_django_import_export_ratio[DB]
                        django-import-export's seconds per row (a plain ``ModelResource`` for
                        Company, ``import_data(dry_run=False, use_transactions=True)`` from a
                        tablib Dataset of the same file, on a fresh database of the same kind)
                        divided by ours. Its time counts reading the CSV and the import, not
                        Django's start-up; ours counts start-up, so the ratio is conservative.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from bench.databases import BenchDatabase, bench_database
from bench.notes import note

OUR_RUNS = 5  # imports of ours timed; the median is reported
WARM_UP_RUNS = 1  # untimed first: the file, the code and the server's caches read in once
DIE_SAMPLE = 10_000  # rows django-import-export imports first, to see if the whole file fits
DIE_BUDGET_S = 600  # more than this for the whole file: its rate on the sample is reported


def make_base(directory: str, rows: int) -> Path:
    """The benchmark's base file (made once per run, by ``bench.basegen`` in a child)."""
    path = Path(directory) / f"base-{rows}-cp1251.csv"
    command = [sys.executable, "-m", "bench.basegen", str(path), "--rows", str(rows)]
    done = _run(command, env=None)
    note(f"base file: {path.stat().st_size / 1e6:.1f} MB, {done.stdout.strip()}")
    return path


def import_figures(vendor: str, base: Path, rows: int) -> Iterator[tuple[str, str]]:
    """The three figures of one database kind, each import on its own fresh database.

    Ours is timed ``OUR_RUNS`` times after the warm-up and the median reported (the peak
    memory is the largest of all the runs, the warm-up's PSS included): the same import on the
    2-core machine we measure on took from 5 to 7.5 s from one minute to the next, and one
    run would report that noise.
    """
    name = _count(rows)
    runs = []
    for run_number in range(WARM_UP_RUNS + OUR_RUNS):
        with bench_database(vendor) as database:
            _setup(database)
            runs.append(_our_import(database, base, sample_memory=run_number < WARM_UP_RUNS))
    times = sorted(seconds for seconds, _peak, _report in runs[WARM_UP_RUNS:])
    seconds = statistics.median(times)
    peak_kb = max(peak for _seconds, peak, _report in runs)
    report = runs[0][2]
    if any(other != report for _seconds, _peak, other in runs):
        raise SystemExit(f"zbut import-base reported differently from run to run on {vendor}")
    note(f"{vendor}: our import took {', '.join(f'{t:.2f}' for t in times)} s; the median counts")
    note(
        f"{vendor}: rows {report['rows']}: imported {report['imported']}, merged "
        f"{report['merged']}, rejected {report['rejected']}, possible duplicates "
        f"{report['possible_duplicates']}"
    )
    yield f"import_{name}_s[{vendor}]", f"{seconds:.2f} s"
    yield f"import_peak_mb[{vendor}]", f"{peak_kb / 1024:.0f} MB"
    die_rows, die_seconds = _django_import_export(vendor, base, rows)
    ratio = (die_seconds / die_rows) / (seconds / report["rows"])
    yield f"import_vs_django_import_export_ratio[{vendor}]", f"{ratio:.1f} x"


def _setup(database: BenchDatabase) -> None:
    _run([sys.executable, "-m", "bench.importrun", "setup"], env=database.env())


def _our_import(
    database: BenchDatabase, base: Path, *, sample_memory: bool
) -> tuple[float, int, dict]:
    """Seconds, peak memory (KiB) and the JSON report of one `zbut import-base` process.

    The peak is its own peak RSS, or with ``sample_memory`` the larger of that and the peak
    PSS of it and its workers (which slows the process down: see the module's docstring).
    """
    from bench.importrun import PROJECT_SLUG

    command = [*_zbut(), "import-base", PROJECT_SLUG, str(base), "--json"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=database.env(), stdout=out, stderr=err, cwd=_root())
        tree = _TreeMemory(process.pid) if sample_memory else None
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if tree is not None:
            tree.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        sys.stderr.write(stdout[-2000:] + stderr[-4000:])
        raise SystemExit(f"zbut import-base failed on {database.vendor}")
    peak_kb = usage.ru_maxrss
    if tree is not None:
        peak_kb = max(peak_kb, tree.peak_kb)
        note(
            f"{database.vendor}: peak RSS of the process {usage.ru_maxrss / 1024:.0f} MB, "
            f"peak PSS of it and its workers {tree.peak_kb / 1024:.0f} MB (untimed run)"
        )
    return seconds, peak_kb, json.loads(stdout)


class _TreeMemory:
    """The peak of the summed PSS of a process and its descendants, sampled in a thread."""

    INTERVAL_S = 0.05

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb = pid, 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stopped.wait(self.INTERVAL_S):
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in _tree(self.pid)))


def _tree(pid: int) -> list[int]:
    pids, i = [pid], 0
    while i < len(pids):
        for task in Path(f"/proc/{pids[i]}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # ended meanwhile
                pids += [int(child) for child in task.read_text().split()]
        i += 1
    return pids


def _pss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:  # ended meanwhile
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _django_import_export(vendor: str, base: Path, rows: int) -> tuple[int, float]:
    """Rows and seconds of django-import-export: the whole file, or a sample if too slow."""
    sample = min(rows, DIE_SAMPLE)
    die_rows, seconds = _die_once(vendor, base, sample)
    projected = seconds / die_rows * rows
    if die_rows < rows and projected <= DIE_BUDGET_S:
        die_rows, seconds = _die_once(vendor, base, 0)
    elif die_rows < rows:
        note(
            f"{vendor}: django-import-export timed on the first {die_rows} rows only; "
            f"the whole file would take ~{projected:.0f} s at that rate"
        )
    note(
        f"{vendor}: django-import-export imported {die_rows} rows in {seconds:.1f} s "
        f"({die_rows / seconds:.0f} rows/s)"
    )
    return die_rows, seconds


def _die_once(vendor: str, base: Path, limit: int) -> tuple[int, float]:
    with bench_database(vendor) as database:
        _setup(database)
        command = [sys.executable, "-m", "bench.importrun", "die", str(base)]
        done = _run([*command, "--limit", str(limit)], env=database.env())
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["rows"], result["seconds"]


def _run(command: list[str], env: dict[str, str] | None) -> subprocess.CompletedProcess:
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, check=False, cwd=_root()
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-4000:])
        raise SystemExit(f"{' '.join(command[1:4])} failed")
    return done


def _count(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def _zbut() -> list[str]:
    script = Path(sys.executable).with_name("zbut")
    return [str(script)] if script.exists() else [sys.executable, "-m", "zbut.cli"]


def _root() -> str:
    return str(Path(__file__).resolve().parent.parent)
