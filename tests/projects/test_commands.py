"""`zbut create-project`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zbut.projects.models import Project


def test_create_project_for_a_client(db):
    call_command("create_client", "--slug", "agro", "--name", "Агро")
    call_command(
        "create_project",
        "--client",
        "agro",
        "--slug",
        "agro-sys",
        "--kind",
        "system",
        "--name",
        "Агро системний",
    )
    project = Project.objects.get(slug="agro-sys")
    assert (project.kind, project.client.slug) == ("system", "agro")


def test_create_project_for_an_unknown_client_exits_2(db):
    with pytest.raises(CommandError) as raised:
        call_command(
            "create_project", "--client", "nobody", "--slug", "x", "--kind", "pilot", "--name", "X"
        )
    assert raised.value.returncode == 2
    assert not Project.objects.exists()


def test_a_duplicate_project_slug_exits_2(db):
    call_command("create_client", "--slug", "agro", "--name", "Агро")
    args = ["--client", "agro", "--slug", "same", "--kind", "pilot", "--name", "X"]
    call_command("create_project", *args)
    with pytest.raises(CommandError) as raised:
        call_command("create_project", *args)
    assert raised.value.returncode == 2
    assert Project.objects.count() == 1
