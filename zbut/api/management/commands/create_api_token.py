"""`zbut create-api-token EMAIL [--client SLUG] [--name NAME]`: prints the key once."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from zbut.accounts.models import Membership
from zbut.api.services import create_api_token
from zbut.core.commands import ZbutCommand


class Command(ZbutCommand):
    help = (
        "Create a read-only API token for a client's user and print its key (shown only once). "
        "--client chooses the client when the user belongs to several."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--client", default=None, help="client slug")
        parser.add_argument("--name", default="cli", help="what the token is for")

    def handle(self, *args: Any, email: str, client: str | None, name: str, **options: Any) -> None:
        memberships = Membership.objects.filter(
            user__email=email.strip().lower(), user__is_active=True, client__isnull=False
        ).select_related("client")
        if client is not None:
            memberships = memberships.filter(client__slug=client)
        found = list(memberships[:2])
        if not found:
            where = f" of client {client}" if client else ""
            raise self.fail(f"no client user {email}{where} / немає користувача клієнта {email}")
        if len(found) > 1:
            raise self.fail(f"{email} belongs to several clients: choose one with --client")
        token, raw_key = create_api_token(membership=found[0], name=name)
        self.stderr.write(f"token {token.prefix}… for {email} of {found[0].client.slug}")
        self.stdout.write(raw_key)
