"""The reports page's figures beyond the funnel: growth over phases, volumes, productivity.

Each figure is one grouped query (or two), never a query per phase, manager or company.
The companies behind every figure are those ``zbut.reports.filters`` selects with the
parameters the figure's ``query`` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import BigIntegerField, Count, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from zbut.accounts.models import User
from zbut.bases.outcomes import POSITIVE_OUTCOMES, Outcome
from zbut.desk.models import ProcessingCycle
from zbut.history.models import Event, EventKind
from zbut.projects.models import Phase, Project
from zbut.reports.filters import earned_events, phase_bounds

POSITIVE_CODES = sorted(POSITIVE_OUTCOMES)
CALL_KINDS = (EventKind.ATTEMPT, EventKind.CALL)


@dataclass(frozen=True)
class PhaseGrowth:
    """Positive companies earned in one phase, and how many by re-processing callbacks."""

    number: int
    positive: int
    reprocessed: int

    @property
    def first_time(self) -> int:
        return self.positive - self.reprocessed

    @property
    def reprocessed_share(self) -> float:
        return round(100 * self.reprocessed / self.positive, 1) if self.positive else 0.0

    @property
    def query(self) -> str:
        return urlencode({"outcome": "positive", "phase": self.number, "earned": 1})

    @property
    def query_first(self) -> str:
        return urlencode({"outcome": "positive", "phase": self.number, "reprocessed": 0})

    @property
    def query_reprocessed(self) -> str:
        return urlencode({"outcome": "positive", "phase": self.number, "reprocessed": 1})


@dataclass(frozen=True)
class Volume:
    """One contracted volume: what was used against what the contract says."""

    key: str
    used: int
    contracted: int
    query: str | None  # None: no companies stand behind it yet

    @property
    def percent(self) -> float:
        return round(100 * self.used / self.contracted, 1) if self.contracted else 0.0


@dataclass(frozen=True)
class ManagerFigures:
    """A manager's work in a phase: calls, outcomes, processing cycles, positive companies."""

    manager_id: int
    name: str
    calls: int
    outcomes: int
    cycles: int
    positive: int
    phase_number: int | None

    @property
    def query(self) -> str:
        """The companies the manager worked on (their processing cycles)."""
        return urlencode(self._params())

    @property
    def query_positive(self) -> str:
        """The companies the manager made positive."""
        return urlencode({**self._params(), "outcome": "positive", "earned": 1})

    def _params(self) -> dict[str, object]:
        params: dict[str, object] = {"manager": self.manager_id}
        if self.phase_number is not None:
            params["phase"] = self.phase_number
        return params


def growth_by_phase(*, project: Project, phases: list[Phase]) -> list[PhaseGrowth]:
    """Per phase, the companies that became positive in it (``payload["phase"]``).

    An OUTCOME event whose ``payload["previous"]`` is ``callback`` and whose new outcome is
    positive was earned by re-processing a callback (PRODUCT.md: the growth of the client flow).
    """
    reprocessing = Q(payload__previous=Outcome.CALLBACK)
    rows = (
        earned_events(project=project, outcomes=POSITIVE_CODES)
        .filter(payload__phase__isnull=False)
        .annotate(phase_number=KT("payload__phase"))
        .values("phase_number")
        .annotate(
            positive=Count("company_id", distinct=True),
            reprocessed=Count("company_id", distinct=True, filter=reprocessing),
        )
        .order_by()
    )
    counted = {_number(row["phase_number"]): row for row in rows}
    return [
        PhaseGrowth(
            number=phase.number,
            positive=counted.get(phase.number, {}).get("positive", 0),
            reprocessed=counted.get(phase.number, {}).get("reprocessed", 0),
        )
        for phase in phases
    ]


def volumes(*, project: Project, positive: int) -> list[Volume]:
    """Cycles, machine reach and (for a pilot) positive companies against the contract.

    Machine reach stays 0 until the machine outreach (calls by a robot, SMS) exists.
    """
    cycles = ProcessingCycle.objects.filter(project=project).count()
    found = [
        Volume("cycles", cycles, project.contracted_cycles, "worked=1"),
        Volume("machine_reach", 0, project.contracted_machine_reach, None),
    ]
    if project.is_pilot:
        found.append(Volume("positive", positive, project.positive_cap, "outcome=positive"))
    return found


def manager_productivity(*, project: Project, phase: Phase | None) -> list[ManagerFigures]:
    """Per manager who worked on the project (in the phase, if given): four counts.

    Calls are attempts and calls made in the phase's dates; outcomes and positive companies
    follow the outcome events' ``payload["phase"]``; cycles follow ``ProcessingCycle.phase``.
    """
    # Events without an actor fall out with the people below; filtering them here instead
    # made SQLite walk the whole log by the actor index.
    events = Event.objects.filter(project=project)
    calls = events.filter(kind__in=CALL_KINDS)
    outcomes = events.filter(kind=EventKind.OUTCOME)
    cycles = ProcessingCycle.objects.filter(project=project)
    if phase is not None:
        start, end = phase_bounds(phase)
        calls = calls.filter(occurred_at__gte=start, occurred_at__lt=end)
        outcomes = outcomes.filter(payload__phase=phase.number)
        cycles = cycles.filter(phase=phase)
    # Calls and outcomes are two queries: calls are most of the events and are counted from
    # the index event_project_kind_time_actor alone (COUNT(*), no table row read), while only
    # the outcomes need their JSON payload.
    call_counts = dict(calls.values_list("actor_id").annotate(n=Count("*")).order_by())
    rows = (
        # Grouped by a cast of actor_id, not the column: given the column, SQLite walks the
        # whole log in the actor index's order to skip a sort, instead of the project's outcomes.
        outcomes.values(manager=Cast("actor_id", BigIntegerField()))
        .annotate(
            outcomes=Count("id"),
            positive=Count(
                "company_id", distinct=True, filter=Q(payload__outcome__in=POSITIVE_CODES)
            ),
        )
        .order_by()
    )
    by_manager = {row["manager"]: row for row in rows}
    cycle_counts = dict(cycles.values_list("manager_id").annotate(n=Count("id")).order_by())
    ids = set(call_counts) | set(by_manager) | set(cycle_counts)
    people = User.objects.filter(pk__in=ids, memberships__client__isnull=True)
    number = phase.number if phase else None
    figures = [
        ManagerFigures(
            manager_id=person.pk,
            name=person.get_full_name(),
            calls=call_counts.get(person.pk, 0),
            outcomes=by_manager.get(person.pk, {}).get("outcomes", 0),
            cycles=cycle_counts.get(person.pk, 0),
            positive=by_manager.get(person.pk, {}).get("positive", 0),
            phase_number=number,
        )
        for person in people
    ]
    return sorted(figures, key=lambda f: (-f.cycles, -f.outcomes, f.name))


def _number(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
