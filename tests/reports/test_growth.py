"""Growth over phases, volumes and productivity, from history made by the desk's services."""

from __future__ import annotations

import pytest

from tests.reports.builders import two_phases
from zbut.projects.selectors import phases_of
from zbut.reports.figures import growth_by_phase, manager_productivity, volumes
from zbut.reports.filters import companies_behind, parse_filter

pytestmark = pytest.mark.django_db


def test_growth_counts_positive_companies_per_phase_with_the_reprocessing_share(world):
    built = two_phases(world)
    phases = phases_of(project=world.project_a)
    growth = growth_by_phase(project=world.project_a, phases=phases)
    assert [(g.number, g.positive, g.reprocessed) for g in growth] == [(1, 3, 0), (2, 3, 2)]
    assert growth[1].first_time == 1
    assert growth[1].reprocessed_share == pytest.approx(66.7)
    reprocessed = parse_filter(project=world.project_a, params={"phase": "2", "reprocessed": "1",
                                                               "outcome": "positive"})  # fmt: skip
    ids = set(
        companies_behind(project=world.project_a, chosen=reprocessed).values_list("pk", flat=True)
    )
    assert ids == set(built.callback_ids)
    first = parse_filter(project=world.project_a, params={"phase": "2", "reprocessed": "0",
                                                          "outcome": "positive"})  # fmt: skip
    assert list(
        companies_behind(project=world.project_a, chosen=first).values_list("pk", flat=True)
    ) == [built.fresh_2]


def test_growth_lists_every_phase_even_without_positives(world):
    from datetime import date

    from zbut.projects.services import open_phase

    open_phase(project=world.project_a, starts_on=date(2026, 1, 5), ends_on=date(2026, 1, 9))
    growth = growth_by_phase(project=world.project_a, phases=phases_of(project=world.project_a))
    assert [(g.number, g.positive, g.reprocessed_share) for g in growth] == [(1, 0, 0.0)]


def test_volumes_count_processing_cycles_against_the_contract(world):
    two_phases(world)
    world.project_a.contracted_cycles = 100
    found = {v.key: v for v in volumes(project=world.project_a, positive=4)}
    assert found["cycles"].used == 5  # five companies decided, each once per Kyiv day
    assert found["cycles"].percent == 5.0
    assert found["machine_reach"].used == 0
    assert "positive" not in found  # a system project has no positive cap


def test_a_pilot_shows_positive_companies_against_its_cap(world):
    world.project_a2.positive_cap = 10
    found = {v.key: v for v in volumes(project=world.project_a2, positive=4)}
    assert (found["positive"].used, found["positive"].contracted) == (4, 10)


def test_productivity_counts_calls_outcomes_cycles_and_positives_per_manager(world):
    two_phases(world)
    phases = phases_of(project=world.project_a)
    [row] = manager_productivity(project=world.project_a, phase=phases[1])
    assert row.manager_id == world.manager.pk
    assert (row.outcomes, row.positive) == (3, 3)
    assert row.cycles == 1  # the re-processed two were already counted today, in phase 1
    assert row.calls == 1  # the one attempt, made today: in both phases' dates
    [row_1] = manager_productivity(project=world.project_a, phase=phases[0])
    assert (row_1.outcomes, row_1.positive, row_1.cycles) == (4, 3, 4)
    positive = parse_filter(project=world.project_a, params=dict(
        pair.split("=") for pair in row_1.query_positive.split("&")))  # fmt: skip
    assert companies_behind(project=world.project_a, chosen=positive).count() == 3
