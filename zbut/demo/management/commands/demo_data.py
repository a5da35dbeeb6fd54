"""`zbut demo-data [--companies N] [--seed S]`: load the demo agency (idempotent)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from zbut.core.commands import ZbutCommand
from zbut.demo.logins import demo_logins_text
from zbut.demo.services import DEFAULT_COMPANIES, DEFAULT_SEED, DemoReport, load_demo

MAX_COMPANIES = 200_000


class Command(ZbutCommand):
    help = (
        "Load a realistic demo agency: people, two clients, their projects, Ukrainian companies "
        "and the managers' history. Running it again changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--companies",
            type=int,
            default=DEFAULT_COMPANIES,
            help=f"companies in the main system project's base (default {DEFAULT_COMPANIES})",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
        )

    def handle(self, *args: Any, companies: int, seed: int, **options: Any) -> None:
        if not 1 <= companies <= MAX_COMPANIES:
            raise self.fail(
                f"--companies must be between 1 and {MAX_COMPANIES}, got {companies} / "
                f"--companies має бути від 1 до {MAX_COMPANIES}"
            )
        report = load_demo(companies=companies, seed=seed)
        self.stdout.write(f"{_summary(report)}\n{demo_logins_text()}")


def _summary(report: DemoReport) -> str:
    verdict = "loaded" if report.changed else "already loaded, nothing changed"
    lines = [f"Demo agency {verdict} in {report.seconds:.1f} s"]
    if report.clients_created or report.users_created:
        lines.append(
            f"  created: {len(report.clients_created)} clients, {len(report.users_created)} users"
        )
    for project in report.projects:
        lines.append(
            f"  {project.slug:<14} {project.companies:>6} companies (+{project.companies_added}), "
            f"{project.processed} processed, +{project.events_recorded} desk events"
        )
    return "\n".join(lines)
