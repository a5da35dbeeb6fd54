"""Shared test people and places, built by calling the real services.

Tenancy tests use three people (healthchecks' hc/test.py): alice owns client A, bob views
client A, charlie owns client B. The agency has an admin, a coordinator and a manager.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.smtp import smtp  # noqa: F401 - a fixture for every test module
from zbut.accounts.models import Client, User
from zbut.accounts.services import create_client, create_user
from zbut.projects.models import Project
from zbut.projects.services import assign_manager, create_project

PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    client_a: Client
    client_b: Client
    project_a: Project
    project_a2: Project
    project_b: Project
    alice: User
    bob: User
    charlie: User
    admin: User
    coordinator: User
    manager: User
    other_manager: User


@pytest.fixture
def world(db: None) -> World:
    client_a = create_client(slug="client-a", name="ТОВ «Альфа»", edrpou="32855961")
    client_b = create_client(slug="client-b", name="ПП «Бета»")
    project_a = create_project(client=client_a, slug="a-system", kind="system", name="Альфа")
    project_a2 = create_project(client=client_a, slug="a-pilot", kind="pilot", name="Альфа пілот")
    project_b = create_project(client=client_b, slug="b-system", kind="system", name="Бета")
    manager = create_user(email="manager@agency.ua", role="manager", password=PASSWORD)
    other_manager = create_user(email="other@agency.ua", role="manager", password=PASSWORD)
    assign_manager(project=project_a, manager=manager)
    assign_manager(project=project_b, manager=other_manager)
    return World(
        client_a=client_a,
        client_b=client_b,
        project_a=project_a,
        project_a2=project_a2,
        project_b=project_b,
        alice=create_user(email="alice@a.ua", role="owner", client=client_a, password=PASSWORD),
        bob=create_user(email="bob@a.ua", role="viewer", client=client_a, password=PASSWORD),
        charlie=create_user(email="charlie@b.ua", role="owner", client=client_b, password=PASSWORD),
        admin=create_user(email="admin@agency.ua", role="admin", password=PASSWORD),
        coordinator=create_user(email="coord@agency.ua", role="coordinator", password=PASSWORD),
        manager=manager,
        other_manager=other_manager,
    )
