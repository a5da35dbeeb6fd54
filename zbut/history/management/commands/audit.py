"""`zbut audit verify [--project SLUG] [--json]`: check the history's hash chains."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from zbut.core.commands import ZbutCommand
from zbut.history.audit import verify_chains
from zbut.history.models import project_chain
from zbut.projects.models import Project

BROKEN = 1


class Command(ZbutCommand):
    help = "Audit the append-only history. `verify` exits 0 when every chain is intact, else 1."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser("verify", help="verify the hash chains")
        verify.add_argument("--project", default=None, help="verify one project's chain only")
        verify.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(
        self, *args: Any, action: str, project: str | None, json: bool, **options: Any
    ) -> None:
        chains = None
        if project is not None:
            project_id = Project.objects.filter(slug=project).values_list("id", flat=True).first()
            if project_id is None:
                raise self.fail(f"unknown project: {project} / невідомий проєкт: {project}")
            chains = [project_chain(project_id)]
        report = verify_chains(chains=chains)
        self._print(report, as_json=json)
        if not report.is_intact:
            raise CommandError("history chain is broken", returncode=BROKEN)

    def _print(self, report: Any, *, as_json: bool) -> None:
        broken = report.broken
        if as_json:
            self.stdout.write(
                json_dumps(
                    {
                        "intact": report.is_intact,
                        "chains": report.chains,
                        "events": report.events,
                        "broken": None if broken is None else broken.__dict__,
                    }
                )
            )
            return
        if broken is None:
            self.stdout.write(f"ok: {report.chains} chains, {report.events} events intact")
        else:
            self.stdout.write(
                f"BROKEN: chain {broken.chain} at event #{broken.seq} "
                f"(id {broken.event_id}): {broken.reason}"
            )


def json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
