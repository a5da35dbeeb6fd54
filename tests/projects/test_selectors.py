"""Who sees which projects: the tenancy rule every portal read goes through."""

from __future__ import annotations

import pytest

from zbut.accounts.selectors import active_membership, clients_for
from zbut.projects.models import Project
from zbut.projects.selectors import project_for, projects_for


def _slugs(world, user) -> set[str]:
    membership = active_membership(user=user)
    return set(projects_for(membership=membership).values_list("slug", flat=True))


def test_client_owner_and_viewer_see_their_clients_projects_only(world):
    assert _slugs(world, world.alice) == {"a-system", "a-pilot"}
    assert _slugs(world, world.bob) == {"a-system", "a-pilot"}
    assert _slugs(world, world.charlie) == {"b-system"}


def test_manager_sees_assigned_projects_only(world):
    assert _slugs(world, world.manager) == {"a-system"}
    assert _slugs(world, world.other_manager) == {"b-system"}


def test_admin_and_coordinator_see_every_project(world):
    assert _slugs(world, world.admin) == {"a-system", "a-pilot", "b-system"}
    assert _slugs(world, world.coordinator) == {"a-system", "a-pilot", "b-system"}


def test_another_clients_project_is_not_found(world):
    membership = active_membership(user=world.charlie)
    with pytest.raises(Project.DoesNotExist):
        project_for(membership=membership, slug="a-system")


def test_clients_visible_per_role(world):
    assert list(clients_for(membership=active_membership(user=world.alice))) == [world.client_a]
    assert list(clients_for(membership=active_membership(user=world.manager))) == [world.client_a]
    assert clients_for(membership=active_membership(user=world.coordinator)).count() == 2
