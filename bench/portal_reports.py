"""funnel_report_s[DB] and export_100k_s[DB]: the client's reports page and its final export.

A project with 100 000 companies (phones, e-mails) and 1 000 000 events in two phases is built
through the real services (``add_companies``, ``record_events``); the companies' current
outcomes and processing cycles are then set in bulk as the desk would have left them.

funnel_report_s  the reports page's figures (summary, phase and project funnels, growth,
                 volumes, productivity), the median of three runs;
export_100k_s    ``write_export_csv`` of the whole base, histories included, to a file.

`python -m bench.portal_reports --companies N --events M` runs the body on DATABASE_URL and
prints one JSON object; ``figures(vendor, ...)`` runs it in a throw-away database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 6_2026
OUTCOMES = (
    "interested",
    "warm",
    "callback",
    "existing",
    "hostile",
    "not_interested",
    "mispositioned",
)
WEIGHTS = (4, 5, 8, 3, 1, 45, 34)
MANAGERS = 10
CHUNK = 5000


def figures(vendor: str, *, companies: int, events: int) -> list[tuple[str, str]]:
    from bench.databases import bench_database
    from bench.notes import note

    with bench_database(vendor) as database:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.portal_reports",
                "--companies",
                str(companies),
                "--events",
                str(events),
            ],
            env=database.env(),
            capture_output=True,
            text=True,
            check=False,
            cwd=str(Path(__file__).resolve().parent.parent),
        )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        return [(f"funnel_report_s[{vendor}]", "FAILED"), (f"export_100k_s[{vendor}]", "FAILED")]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    note(
        f"{vendor}: built {result['companies']} companies, {result['events']} events in "
        f"{result['build_s']:.0f} s; report runs {result['report_runs']}, "
        f"{result['rows']} rows exported"
    )
    return [
        (f"funnel_report_s[{vendor}]", f"{result['report_s']:.3f} s"),
        (f"export_100k_s[{vendor}]", f"{result['export_s']:.2f} s"),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.portal_reports")
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zbut.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    project, _phases = _build(args.companies, args.events)
    build_s = time.perf_counter() - started
    runs = [_report(project) for _ in range(3)]
    export_s, rows = _export(project)
    from zbut.history.models import Event

    result = {
        "companies": args.companies,
        "events": Event.objects.count(),
        "build_s": build_s,
        "report_s": statistics.median(runs),
        "report_runs": [round(r, 3) for r in runs],
        "export_s": export_s,
        "rows": rows,
    }
    sys.stdout.write(json.dumps(result) + "\n")


def _report(project) -> float:
    from zbut.projects.models import Project
    from zbut.projects.selectors import current_phase, phases_of
    from zbut.reports import figures as report_figures
    from zbut.reports import selectors

    started = time.perf_counter()
    phases = phases_of(project=project)
    phase = current_phase(project=project)
    summary = selectors.project_summaries(projects=Project.objects.filter(pk=project.pk))[0]
    selectors.outcome_distribution(project=project, phase=phase)
    _ = summary.distribution
    report_figures.growth_by_phase(project=project, phases=phases)
    report_figures.volumes(project=project, positive=summary.positive)
    report_figures.manager_productivity(project=project, phase=phase)
    return time.perf_counter() - started


def _export(project) -> tuple[float, int]:
    from zbut.reports.exports import write_export_csv

    with tempfile.TemporaryDirectory(prefix="zbut-export-") as folder:
        started = time.perf_counter()
        with (Path(folder) / "export.csv").open("w", encoding="utf-8", newline="") as out:
            rows = write_export_csv(project=project, out=out)
        return time.perf_counter() - started, rows


def _build(companies: int, events: int):
    from django.db import connection, transaction

    from zbut.accounts.services import create_client, create_user
    from zbut.bases.models import BaseState, PhoneKind
    from zbut.bases.services import CompanyDraft, PhoneDraft, add_companies
    from zbut.projects.services import assign_manager, create_project, open_phase

    rng = random.Random(SEED)
    today = datetime.now(UTC).date()
    client = create_client(slug="bench-client", name="ТОВ «Бенч»")
    project = create_project(client=client, slug="bench", kind="system", name="Бенч",
                             contracted_cycles=200_000)  # fmt: skip
    managers = [create_user(email=f"m{i}@agency.ua", role="manager", full_name=f"Менеджер {i}")
                for i in range(MANAGERS)]  # fmt: skip
    for manager in managers:
        assign_manager(project=project, manager=manager)
    phase_1 = open_phase(project=project, starts_on=today - timedelta(days=60),
                         ends_on=today - timedelta(days=31))  # fmt: skip
    phase_2 = open_phase(project=project, starts_on=today - timedelta(days=30),
                         ends_on=today + timedelta(days=10))  # fmt: skip
    ids: list[int] = []
    for start in range(0, companies, CHUNK):
        drafts = [
            CompanyDraft(
                name=f"Компанія {n}",
                legal_form="ТОВ",
                category=f"Категорія {n % 12}",
                region=f"Регіон {n % 24}",
                address=f"вул. Соборна, {n % 200}",
                contact_person="Петренко Олег",
                phones=[PhoneDraft(f"+38067{1_000_000 + n}", PhoneKind.MOBILE, "Київстар")],
                emails=[f"info{n}@firma.ua"],
            )
            for n in range(start, min(start + CHUNK, companies))
        ]
        made = add_companies(project=project, drafts=drafts, base_state=BaseState.APPROVED)
        ids.extend(c.pk for c in made)
    _history(rng, project, phases=(phase_1, phase_2), ids=ids, managers=managers, events=events)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    del transaction
    return project, (phase_1, phase_2)


def _history(rng, project, *, phases, ids, managers, events) -> None:
    """Events of the desk in both phases, then the companies' outcomes and cycles to match."""
    from django.db import transaction

    from zbut.bases.models import Company
    from zbut.desk.models import ProcessingCycle
    from zbut.history.models import EventKind
    from zbut.history.services import NewEvent, record_events

    per_company = max(1, events // len(ids))
    final: dict[tuple[str, int], list[int]] = {}
    cycles = []
    drafts: list[NewEvent] = []
    for company_id in ids:
        phase = phases[0] if rng.random() < 0.5 else phases[1]
        day = phase.starts_on + timedelta(days=rng.randrange(0, 25))
        at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        manager = rng.choice(managers)
        outcome = rng.choices(OUTCOMES, WEIGHTS)[0]
        for i in range(per_company - 1):
            drafts.append(NewEvent(kind=EventKind.ATTEMPT, company_id=company_id,
                                   actor_id=manager.pk, occurred_at=at + timedelta(minutes=i),
                                   payload={"result": "no_answer", "note": "",
                                            "phase": phase.number}))  # fmt: skip
        payload = {"outcome": outcome, "note": "Вивчають КП", "phase": phase.number}
        if phase.number == 2 and rng.random() < 0.1:
            payload["previous"] = "callback"
        drafts.append(NewEvent(kind=EventKind.OUTCOME, company_id=company_id, actor_id=manager.pk,
                               occurred_at=at + timedelta(hours=1), payload=payload))  # fmt: skip
        final.setdefault((outcome, phase.number), []).append(company_id)
        cycles.append(ProcessingCycle(client_id=project.client_id, project=project, phase=phase,
                                      company_id=company_id, manager=manager, day=day,
                                      counted_at=at))  # fmt: skip
        if len(drafts) >= 10_000:
            with transaction.atomic(durable=True):
                record_events(project=project, drafts=drafts)
            drafts = []
    if drafts:
        with transaction.atomic(durable=True):
            record_events(project=project, drafts=drafts)
    ProcessingCycle.objects.bulk_create(cycles, batch_size=5000)
    for (outcome, number), company_ids in final.items():
        phase = phases[number - 1]
        at = datetime(phase.starts_on.year, phase.starts_on.month, phase.starts_on.day, 12,
                      tzinfo=UTC) + timedelta(days=3)  # fmt: skip
        for start in range(0, len(company_ids), 900):
            Company.objects.filter(pk__in=company_ids[start : start + 900]).update(
                outcome=outcome, last_contact_at=at, contact_count=per_company
            )


if __name__ == "__main__":
    main()
