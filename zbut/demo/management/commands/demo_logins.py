"""`zbut demo-logins [--url URL]`: who can log in to the demo, and with which password."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from zbut.core.commands import ZbutCommand
from zbut.demo.logins import demo_logins_text


class Command(ZbutCommand):
    help = "Print the demo agency's logins and their shared password."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--url", default="", help="the address to open, printed with them")

    def handle(self, *args: Any, url: str, **options: Any) -> None:
        self.stdout.write(demo_logins_text(url or None))
