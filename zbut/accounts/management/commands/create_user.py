"""`zbut create-user --role ROLE [--client SLUG] [--password-from-env VAR] EMAIL`"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from zbut.accounts.models import Client, Role
from zbut.accounts.services import create_user
from zbut.core.commands import ZbutCommand


class Command(ZbutCommand):
    help = (
        "Create a user with a role: admin, coordinator or manager of the agency, or owner or "
        "viewer of a client (--client). Without a password the user sets one by e-mail."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--client", default=None, help="client slug, for owner and viewer")
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument(
            "--password-from-env",
            default=None,
            metavar="VAR",
            help="read the password from this environment variable (never from the command line)",
        )

    def handle(
        self,
        *args: Any,
        email: str,
        role: str,
        client: str | None,
        name: str,
        password_from_env: str | None,
        **options: Any,
    ) -> None:
        client_obj = None
        if client is not None:
            client_obj = Client.objects.filter(slug=client).first()
            if client_obj is None:
                raise self.fail(f"unknown client: {client} / невідомий клієнт: {client}")
        password = None
        if password_from_env is not None:
            password = os.environ.get(password_from_env)
            if not password:
                raise self.fail(f"environment variable {password_from_env} is empty")
        user = create_user(
            email=email, role=role, client=client_obj, password=password, full_name=name
        )
        self.stdout.write(f"user {user.email} is {role}" + (f" of {client}" if client else ""))
