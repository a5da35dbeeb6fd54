"""The simulated desk work follows the norms and the desk's rules (pure, no database)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

from zbut.bases.outcomes import NORMS, Outcome
from zbut.demo.simulation import (
    FIRST_PROCESSING_MIX,
    KYIV,
    REPROCESSING_MIX,
    DeskScenario,
    PhaseWindow,
    apportion,
    plan_desk_work,
)
from zbut.history.models import EventKind

NOW = datetime(2026, 3, 18, 15, 30, tzinfo=KYIV)  # a Wednesday afternoon
TODAY = NOW.date()


def scenario() -> DeskScenario:
    return DeskScenario(
        phases=(
            PhaseWindow(1, TODAY - timedelta(days=27), TODAY - timedelta(days=15), fresh=550),
            PhaseWindow(2, TODAY - timedelta(days=14), TODAY + timedelta(days=3), fresh=220),
        ),
        reprocess_callbacks=True,
    )


def plan(now: datetime = NOW):
    return plan_desk_work(
        company_ids=range(1, 1001), manager_ids=[7, 8, 9], scenario=scenario(), seed=1, now=now
    )


def test_the_mixes_are_inside_the_norms_and_add_up() -> None:
    assert sum(FIRST_PROCESSING_MIX.values()) == sum(REPROCESSING_MIX.values()) == 100
    for outcome, share in FIRST_PROCESSING_MIX.items():
        assert NORMS[outcome].verdict(Decimal(str(share))) == "within"


def test_apportion_is_exact() -> None:
    for total in (0, 1, 7, 110, 1651):
        assert sum(apportion(FIRST_PROCESSING_MIX, total).values()) == total


def test_events_run_in_time_on_working_hours_and_never_in_the_future() -> None:
    events = plan().events
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    for event in events:
        local = event.occurred_at.astimezone(KYIV)
        assert local <= NOW
        assert 9 <= local.hour < 18
        assert local.weekday() < 5
        assert event.actor_id in {7, 8, 9}
    assert any(e.occurred_at.date() == TODAY for e in events)


def test_callbacks_return_in_the_next_phase_and_some_stay_in_the_future() -> None:
    result = plan()
    first = {e.company_id: e for e in result.events if e.payload["phase"] == 1}
    again = [
        e for e in result.events if e.kind == EventKind.OUTCOME and e.payload["phase"] == 2
        and first.get(e.company_id) is not None and first[e.company_id].kind == EventKind.OUTCOME
    ]  # fmt: skip
    assert again
    callbacks = [s.next_callback_on for s in result.states.values() if s.next_callback_on]
    assert any(day > TODAY for day in callbacks)
    hopeless = {Outcome.NOT_INTERESTED, Outcome.HOSTILE, Outcome.MISPOSITIONED}
    for event in again:
        assert first[event.company_id].payload.get("outcome") not in hopeless


def test_the_state_of_each_company_is_that_of_its_last_outcome() -> None:
    result = plan()
    last, count = {}, Counter()
    for event in result.events:
        if event.kind == EventKind.OUTCOME:
            last[event.company_id] = event
            count[event.company_id] += 1
    for company_id, state in result.states.items():
        event = last.get(company_id)
        assert state.outcome == (event.payload["outcome"] if event else "")
        assert state.contact_count == count[company_id]
        assert state.last_contact_at == (event.occurred_at if event else None)


def test_the_hour_of_loading_changes_when_but_not_what() -> None:
    morning, evening = plan(NOW.replace(hour=10)), plan(NOW.replace(hour=17))

    def what(p) -> list:
        return sorted((e.company_id, e.kind, e.payload.get("outcome")) for e in p.events)

    assert what(morning) == what(evening)


def test_loading_before_the_working_day_still_shows_today() -> None:
    early = NOW.replace(hour=0, minute=40)
    events = plan(early).events
    assert any(e.occurred_at.astimezone(KYIV).date() == date(2026, 3, 18) for e in events)
    assert all(e.occurred_at <= early for e in events)
