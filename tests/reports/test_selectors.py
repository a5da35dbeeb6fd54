"""The figures behind the dashboards: shares against norms, summaries, the feed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from tests.conftest import World
from zbut.bases.models import Company
from zbut.bases.outcomes import Outcome
from zbut.bases.services import CompanyDraft, add_companies
from zbut.history.models import EventKind
from zbut.history.services import record_event
from zbut.projects.models import Project
from zbut.reports.selectors import (
    distribution_from_counts,
    outcome_distribution,
    project_summaries,
    recent_events,
    work_feed,
)


def test_shares_are_of_processed_companies_and_judged_against_norms() -> None:
    shares = {
        s.outcome: s
        for s in distribution_from_counts(
            {Outcome.INTERESTED: 4, Outcome.CALLBACK: 40, Outcome.NOT_INTERESTED: 56}
        )
    }
    assert shares[Outcome.INTERESTED].share == Decimal("4.0")
    assert shares[Outcome.INTERESTED].verdict == "within"
    assert shares[Outcome.NOT_INTERESTED].verdict == "above"
    assert shares[Outcome.MISPOSITIONED].verdict == "below"
    assert shares[Outcome.HOSTILE].verdict == "within"
    assert shares[Outcome.NOT_INTERESTED].is_outside_norm


def test_without_processed_companies_there_is_no_verdict() -> None:
    assert {s.verdict for s in distribution_from_counts({})} == {None}


def give_outcomes(project: Project, outcomes: list[Outcome]) -> None:
    companies = add_companies(
        project=project, drafts=[CompanyDraft(name=f"Ф{i}") for i in range(len(outcomes) + 1)]
    )
    for company, outcome in zip(companies, outcomes, strict=False):
        with transaction.atomic():
            Company.objects.filter(pk=company.pk).update(outcome=outcome, contact_count=2)
            record_event(
                kind=EventKind.OUTCOME,
                project=project,
                company=company,
                payload={"outcome": outcome.value, "note": "ок"},
            )


@pytest.mark.django_db
def test_project_summaries_count_each_project_apart(
    world: World, django_assert_num_queries: object
) -> None:
    give_outcomes(world.project_a, [Outcome.INTERESTED, Outcome.WARM, Outcome.HOSTILE])
    give_outcomes(world.project_b, [Outcome.CALLBACK])
    projects = Project.objects.filter(slug__in=["a-system", "b-system", "a-pilot"])
    with django_assert_num_queries(3):
        summaries = {s.project.slug: s for s in project_summaries(projects=projects)}
    a = summaries["a-system"]
    assert (a.companies, a.processed, a.positive, a.interested, a.contacts) == (4, 3, 2, 1, 6)
    assert summaries["b-system"].positive == 1
    assert summaries["a-pilot"].companies == 0


@pytest.mark.django_db
def test_outcome_distribution_counts_only_the_project(world: World) -> None:
    give_outcomes(world.project_a, [Outcome.WARM, Outcome.WARM])
    give_outcomes(world.project_b, [Outcome.HOSTILE])
    shares = {s.outcome: s for s in outcome_distribution(project=world.project_a)}
    assert shares[Outcome.WARM].count == 2
    assert shares[Outcome.WARM].share == Decimal("100.0")
    assert shares[Outcome.HOSTILE].count == 0


@pytest.mark.django_db
def test_work_feed_is_newest_first_and_limited_to_the_projects(world: World) -> None:
    give_outcomes(world.project_a, [Outcome.WARM, Outcome.INTERESTED])
    give_outcomes(world.project_b, [Outcome.HOSTILE])
    rows = work_feed(projects=Project.objects.filter(pk=world.project_a.pk))
    assert [r.outcome for r in rows[:2]] == ["interested", "warm"]
    assert {r.project_slug for r in rows} == {"a-system"}
    assert rows[0].note == "ок"


@pytest.mark.django_db
def test_feeds_leave_out_the_import_of_each_company(world: World) -> None:
    give_outcomes(world.project_a, [Outcome.WARM])
    projects = Project.objects.filter(pk=world.project_a.pk)
    assert [r.kind for r in work_feed(projects=projects)] == ["outcome"]
    kinds = {r.kind for r in recent_events(projects=projects)}
    assert "company_added" not in kinds
    assert {"outcome", "project_created"} <= kinds
