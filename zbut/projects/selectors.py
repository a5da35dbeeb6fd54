"""Reads of projects, always through the requesting membership."""

from __future__ import annotations

from django.db.models import QuerySet

from zbut.accounts.models import Membership, Role
from zbut.projects.models import Assignment, Phase, PhaseState, Project


def projects_for(*, membership: Membership) -> QuerySet[Project]:
    """Projects the membership may see.

    A client's people see their client's projects; a manager sees the projects assigned to
    them; the agency's admin and coordinators see every project.
    """
    projects = Project.objects.select_related("client")
    if membership.is_client:
        return projects.filter(client_id=membership.client_id)
    if membership.role == Role.MANAGER:
        return projects.filter(assignments__manager_id=membership.user_id)
    return projects.all()


def project_for(*, membership: Membership, slug: str) -> Project:
    """One visible project by slug; raises Project.DoesNotExist (a 404) for anything else."""
    return projects_for(membership=membership).get(slug=slug)


def current_phase(*, project: Project) -> Phase | None:
    return (
        Phase.objects.filter(project=project, state=PhaseState.ACTIVE).order_by("-number").first()
    )


def phases_of(*, project: Project) -> list[Phase]:
    """The project's phases in order; the caller already checked the project is visible."""
    return list(Phase.objects.filter(project=project).order_by("number"))


def assignments_of(*, project: Project) -> list[Assignment]:
    """The managers assigned to the project, with their user rows (one query)."""
    return list(
        Assignment.objects.filter(project=project)
        .select_related("manager")
        .order_by("manager__full_name", "manager__email")
    )
