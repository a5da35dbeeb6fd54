"""`zbut create-project --client SLUG --slug SLUG --kind pilot|system --name NAME`"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from zbut.accounts.models import Client
from zbut.core.commands import ZbutCommand
from zbut.projects.models import ProjectKind
from zbut.projects.services import create_project


class Command(ZbutCommand):
    help = "Create a project of a client: a pilot or a system project."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--client", required=True, help="client slug")
        parser.add_argument(
            "--slug", required=True, help="project slug, unique in the installation"
        )
        parser.add_argument("--kind", required=True, choices=ProjectKind.values)
        parser.add_argument("--name", required=True)

    def handle(
        self, *args: Any, client: str, slug: str, kind: str, name: str, **options: Any
    ) -> None:
        client_obj = Client.objects.filter(slug=client).first()
        if client_obj is None:
            raise self.fail(f"unknown client: {client} / невідомий клієнт: {client}")
        project = create_project(client=client_obj, slug=slug, kind=kind, name=name)
        self.stdout.write(f"project {project.slug} ({project.kind}) created for {client}")
