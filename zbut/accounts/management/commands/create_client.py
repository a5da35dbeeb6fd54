"""`zbut create-client --slug SLUG --name NAME [--edrpou CODE]`"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from zbut.accounts.services import create_client
from zbut.core.commands import ZbutCommand


class Command(ZbutCommand):
    help = "Create a client (a tenant)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--edrpou", default="")

    def handle(self, *args: Any, slug: str, name: str, edrpou: str, **options: Any) -> None:
        client = create_client(slug=slug, name=name, edrpou=edrpou)
        self.stdout.write(f"client {client.slug} created")
