"""The base of `zbut` commands: a domain error becomes one clear line and exit status 2."""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zbut.core.errors import ZbutError

USAGE_ERROR = 2


class ZbutCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        _one_line_errors(parser, f"zbut {subcommand.replace('_', '-')}")
        return parser

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except ZbutError as error:
            raise CommandError(str(error.message), returncode=USAGE_ERROR) from error

    def fail(self, message: str) -> CommandError:
        return CommandError(message, returncode=USAGE_ERROR)


def _one_line_errors(parser: Any, prog: str) -> None:
    """Argument errors as one line (not argparse's usage block), exit status 2."""

    def error(message: str) -> NoReturn:
        if not getattr(parser, "called_from_command_line", True):
            raise CommandError(f"Error: {message}")
        sys.stderr.write(f"{prog}: {message}\n")
        sys.exit(USAGE_ERROR)

    parser.error = error
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                _one_line_errors(subparser, prog)
