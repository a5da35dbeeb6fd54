"""A pure simulation of the managers' work on a base: which company was called when, by whom,
with what result (no database; ``zbut.demo.services`` writes the plan).

The desk's rules it follows (PRODUCT.md):

- a company is *reached* when a manager talks to it and sets its outcome (an OUTCOME event);
  call attempts that reach nobody (no answer, busy, secretary …) are ATTEMPT events;
- outcomes at first processing follow the norms, apportioned exactly (not sampled), so the
  demo's funnel sits inside the norms however small the base;
- a ``callback`` company of a system project gets a callback day in the next phase and is
  re-processed on that day, with better odds than a cold call (the growth over phases);
- a company's derived state is computed from its own events: ``outcome`` and
  ``next_callback_on`` from its latest OUTCOME, ``contact_count`` counts its OUTCOME events
  (a contact, "контактування", is a conversation, not a ring), ``last_contact_at`` is the
  time of the latest one.
- calls happen on working days 9:00–18:00 Kyiv time; the current day is always worked, up to
  the moment of loading, so dashboards show today's activity whenever the demo is loaded.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from zbut.bases.outcomes import Outcome
from zbut.demo.texts import ATTEMPT_RESULTS, OUTCOME_NOTES, outcome_note
from zbut.history.models import EventKind

KYIV = ZoneInfo("Europe/Kyiv")
WORK_STARTS = time(9, 0)
WORK_ENDS = time(18, 0)

# Shares in percent at first processing, each inside its norm (zbut.bases.outcomes.NORMS).
FIRST_PROCESSING_MIX: dict[Outcome, float] = {
    Outcome.INTERESTED: 3.8,
    Outcome.WARM: 4.7,
    Outcome.CALLBACK: 36.5,
    Outcome.EXISTING: 0.05,
    Outcome.HOSTILE: 0.05,
    Outcome.NOT_INTERESTED: 43.9,
    Outcome.MISPOSITIONED: 11.0,
}
# A callback company called back on its day converts better than a cold call.
REPROCESSING_MIX: dict[Outcome, float] = {
    Outcome.INTERESTED: 7.0,
    Outcome.WARM: 11.0,
    Outcome.CALLBACK: 30.0,
    Outcome.EXISTING: 1.0,
    Outcome.HOSTILE: 0.5,
    Outcome.NOT_INTERESTED: 45.0,
    Outcome.MISPOSITIONED: 5.5,
}
ATTEMPTS_BEFORE_REACH = ((0, 50), (1, 30), (2, 14), (3, 6))
ATTEMPTS_UNREACHED = ((1, 50), (2, 35), (3, 15))


@dataclass(frozen=True)
class PhaseWindow:
    number: int
    starts_on: date
    ends_on: date
    fresh: int  # companies taken from the base for the first time in this phase


@dataclass(frozen=True)
class DeskScenario:
    phases: tuple[PhaseWindow, ...]
    reprocess_callbacks: bool  # system projects re-process callbacks in the next phase
    unreached_share: float = 0.06  # fresh companies nobody answered at yet
    overdue_share: float = 0.1  # due callbacks the desk has not got to yet


@dataclass(frozen=True)
class PlannedEvent:
    occurred_at: datetime
    company_id: int
    actor_id: int
    kind: EventKind
    payload: dict[str, Any]


@dataclass
class CompanyState:
    """The derived state of a company, as its events make it."""

    outcome: str = ""
    contact_count: int = 0
    last_contact_at: datetime | None = None
    next_callback_on: date | None = None
    first_contact_on: date | None = None
    manager_id: int | None = None


@dataclass
class DeskPlan:
    events: list[PlannedEvent] = field(default_factory=list)  # oldest first
    states: dict[int, CompanyState] = field(default_factory=dict)  # touched companies only


@dataclass(frozen=True)
class _Task:
    company_id: int
    day: date
    outcome: Outcome | None  # None: only attempts, nobody reached
    cold: bool  # a first call (attempts may fall on earlier days)


def apportion(mix: Mapping[Outcome, float], total: int) -> dict[Outcome, int]:
    """Split ``total`` by the percentages of ``mix`` exactly (largest remainder)."""
    quotas = {outcome: total * share / 100 for outcome, share in mix.items()}
    counts = {outcome: int(quota) for outcome, quota in quotas.items()}
    rest = total - sum(counts.values())
    by_remainder = sorted(mix, key=lambda o: quotas[o] - counts[o], reverse=True)
    for outcome in by_remainder[:rest]:
        counts[outcome] += 1
    return counts


def plan_desk_work(
    *,
    company_ids: Sequence[int],
    manager_ids: Sequence[int],
    scenario: DeskScenario,
    seed: int | str,
    now: datetime,
) -> DeskPlan:
    """The events of the scenario's phases and the companies' resulting state (deterministic)."""
    if not manager_ids:
        return DeskPlan()
    return _Desk(company_ids, manager_ids, scenario, seed, now).run()


class _Desk:
    def __init__(
        self,
        company_ids: Sequence[int],
        manager_ids: Sequence[int],
        scenario: DeskScenario,
        seed: int | str,
        now: datetime,
    ) -> None:
        self.rng = random.Random(seed)
        # Times and days come from a second stream, so the time of loading changes when things
        # happened but never what happened (the first stream draws the same numbers).
        self.clock = random.Random(f"{seed}:clock")
        self.managers = tuple(manager_ids)
        self.scenario = scenario
        self.now = now.astimezone(KYIV)
        self.today = self.now.date()
        order = list(company_ids)
        self.rng.shuffle(order)
        self.untouched = deque(order)
        self.unreached: list[int] = []  # tried first in the next phase
        self.plan = DeskPlan()

    def run(self) -> DeskPlan:
        phases = self.scenario.phases
        for index, phase in enumerate(phases):
            following = phases[index + 1] if index + 1 < len(phases) else None
            days = self._work_days(phase)
            if not days:
                continue
            tasks = self._due_callbacks(days) if self.scenario.reprocess_callbacks else []
            tasks += self._fresh(phase, days)
            for task in tasks:
                self._work(task, phase, following, days)
        self.plan.events.sort(key=lambda event: event.occurred_at)  # stable: ties keep order
        return self.plan

    def _work_days(self, phase: PhaseWindow) -> list[date]:
        last = min(phase.ends_on, self.today)
        days = [
            phase.starts_on + timedelta(days=n)
            for n in range((last - phase.starts_on).days + 1)
            if (phase.starts_on + timedelta(days=n)).weekday() < 5
        ]
        if phase.starts_on <= self.today <= phase.ends_on and self.today not in days:
            days.append(self.today)
        return days

    def _due_callbacks(self, days: list[date]) -> list[_Task]:
        due = [
            company_id
            for company_id, state in sorted(self.plan.states.items())
            if state.outcome == Outcome.CALLBACK
            and state.next_callback_on is not None
            and state.next_callback_on <= days[-1]
            and self.rng.random() >= self.scenario.overdue_share
        ]
        outcomes = self._shuffled_outcomes(REPROCESSING_MIX, len(due))
        tasks = []
        for company_id, outcome in zip(due, outcomes, strict=True):
            on = self.plan.states[company_id].next_callback_on
            day = next((d for d in days if on is not None and d >= on), days[-1])
            tasks.append(_Task(company_id, day, outcome, cold=False))
        return tasks

    def _fresh(self, phase: PhaseWindow, days: list[date]) -> list[_Task]:
        pool = self.unreached + list(self.untouched)
        taken = pool[: phase.fresh]
        self.unreached = []
        taken_set = set(taken)
        self.untouched = deque(c for c in self.untouched if c not in taken_set)
        unreached = set(
            self.rng.sample(range(len(taken)), round(len(taken) * self.scenario.unreached_share))
        )
        outcomes = iter(self._shuffled_outcomes(FIRST_PROCESSING_MIX, len(taken) - len(unreached)))
        tasks = []
        for index, company_id in enumerate(taken):
            day = days[index * len(days) // len(taken)]
            outcome = None if index in unreached else next(outcomes)
            if outcome is None:
                self.unreached.append(company_id)
            tasks.append(_Task(company_id, day, outcome, cold=True))
        return tasks

    def _shuffled_outcomes(self, mix: Mapping[Outcome, float], total: int) -> list[Outcome]:
        outcomes = [o for o, count in apportion(mix, total).items() for _ in range(count)]
        self.rng.shuffle(outcomes)
        return outcomes

    def _work(
        self, task: _Task, phase: PhaseWindow, following: PhaseWindow | None, days: list[date]
    ) -> None:
        rng = self.rng
        state = self.plan.states.setdefault(task.company_id, CompanyState())
        if state.manager_id is None:
            state.manager_id = rng.choice(self.managers)
        start, end = self._window(task.day)
        moment = self._between(start, end)
        table = ATTEMPTS_BEFORE_REACH if task.outcome is not None else ATTEMPTS_UNREACHED
        earlier_days = [d for d in days if d < task.day] if task.cold else []
        attempts = []
        for _ in range(_weighted(rng, table)):
            on_an_earlier_day = rng.random() < 0.45  # drawn always: keeps the stream aligned
            if earlier_days and on_an_earlier_day:
                attempts.append(self._between(*self._window(self.clock.choice(earlier_days))))
            else:
                attempts.append(self._between(start, moment))
        for at in sorted(attempts):
            self._attempt(task.company_id, state, at, phase)
        if task.outcome is not None:
            self._outcome(task, state, moment, phase, following)

    def _attempt(
        self, company_id: int, state: CompanyState, at: datetime, phase: PhaseWindow
    ) -> None:
        result = _weighted(self.rng, [(code, w) for code, (w, _) in ATTEMPT_RESULTS.items()])
        note = self.rng.choice(ATTEMPT_RESULTS[result][1])
        self._emit(company_id, state, at, EventKind.ATTEMPT,
                   {"result": result, "note": note, "phase": phase.number})  # fmt: skip

    def _outcome(
        self,
        task: _Task,
        state: CompanyState,
        at: datetime,
        phase: PhaseWindow,
        following: PhaseWindow | None,
    ) -> None:
        outcome = task.outcome
        assert outcome is not None
        callback_on = None
        if outcome == Outcome.CALLBACK and self.scenario.reprocess_callbacks:
            callback_on = self._callback_day(task.day, following)
        first_contact = state.first_contact_on or task.day
        previous = state.outcome  # what the desk records as "previous" on a changed outcome
        state.contact_count += 1
        state.first_contact_on = first_contact
        state.outcome = outcome.value
        state.last_contact_at = at
        state.next_callback_on = callback_on
        note = outcome_note(
            self.rng.choice(OUTCOME_NOTES[outcome]),
            callback_on=callback_on,
            first_contact=first_contact,
            contacts=state.contact_count,
        )
        payload: dict[str, Any] = {"outcome": outcome.value, "note": note, "phase": phase.number}
        if previous:
            payload["previous"] = previous
        if callback_on is not None:
            payload["callback_on"] = callback_on.isoformat()
        self._emit(task.company_id, state, at, EventKind.OUTCOME, payload)

    def _callback_day(self, day: date, following: PhaseWindow | None) -> date:
        """A weekday in the next phase (or, in the last phase, within five weeks from now)."""
        if following is not None:
            first, last = following.starts_on, following.ends_on + timedelta(days=10)
        else:
            first = max(day + timedelta(days=7), self.today + timedelta(days=1))
            last = self.today + timedelta(days=35)
        first = max(first, day + timedelta(days=1))
        options = [
            first + timedelta(days=n)
            for n in range((last - first).days + 1)
            if (first + timedelta(days=n)).weekday() < 5
        ]
        return self.clock.choice(options) if options else first

    def _window(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, WORK_STARTS, KYIV)
        end = datetime.combine(day, WORK_ENDS, KYIV)
        if day == self.today:
            end = min(end, self.now)
            if end - start < timedelta(minutes=30):
                # Loaded before the working day: today's calls so far are the early ones.
                start = datetime.combine(day, time(0, 0), KYIV)
                end = max(self.now, start + timedelta(minutes=1))
        return start, end

    def _between(self, start: datetime, end: datetime) -> datetime:
        seconds = max(0.0, (end - start).total_seconds())
        return start + timedelta(seconds=int(self.clock.random() * seconds))

    def _emit(
        self,
        company_id: int,
        state: CompanyState,
        at: datetime,
        kind: EventKind,
        payload: dict[str, Any],
    ) -> None:
        assert state.manager_id is not None
        self.plan.events.append(PlannedEvent(at, company_id, state.manager_id, kind, payload))


def _weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([value for value, _ in options], weights=[w for _, w in options])[0]
