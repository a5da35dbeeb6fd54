"""The companies behind a report figure: parsing and applying `?outcome=…&phase=…` filters.

One filter object serves the companies list, the figures' links and the exports, so a figure,
the list it links to and the export of that list always count the same companies.

Three ways a company can be "behind" a figure:

* by its current outcome (the funnel): ``outcome`` (a code or ``positive``) and ``phase`` — the
  current outcome was set during the phase (``last_contact_at`` in its dates), as
  ``selectors.outcome_distribution`` counts;
* by the outcomes it earned (the growth chart, ``earned=1`` or ``reprocessed=0|1``): it has an
  OUTCOME event of that outcome whose ``payload["phase"]`` is the phase; re-processing means the
  event's ``payload["previous"]`` was ``callback``; ``manager`` narrows to that manager's events;
* by the work done on it (volumes and productivity, ``worked=1`` or ``manager`` alone): it has a
  processing cycle, in the phase and by the manager if given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zbut.bases.models import Company
from zbut.bases.outcomes import POSITIVE_OUTCOMES, Outcome
from zbut.desk.models import ProcessingCycle
from zbut.history.models import Event, EventKind
from zbut.projects.models import Phase, Project

POSITIVE = "positive"
MAX_TEXT = 200
FLAGS = {"1": True, "0": False}


@dataclass
class CompanyFilter:
    """A validated filter; ``errors`` holds a message per rejected parameter."""

    outcome: str = ""
    phase: Phase | None = None
    earned: bool = False
    reprocessed: bool | None = None
    worked: bool = False
    manager_id: int | None = None
    category: str = ""
    region: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def outcomes(self) -> list[str]:
        if self.outcome == POSITIVE:
            return sorted(POSITIVE_OUTCOMES)
        return [self.outcome] if self.outcome else []

    def params(self) -> dict[str, str]:
        """The query parameters that give this filter back (for links, pages and exports)."""
        found = {
            "outcome": self.outcome,
            "phase": str(self.phase.number) if self.phase else "",
            "earned": "1" if self.earned and self.reprocessed is None else "",
            "reprocessed": "" if self.reprocessed is None else str(int(self.reprocessed)),
            "worked": "1" if self.worked and self.manager_id is None else "",
            "manager": str(self.manager_id) if self.manager_id else "",
            "category": self.category,
            "region": self.region,
        }
        return {key: value for key, value in found.items() if value}

    def query(self) -> str:
        return urlencode(self.params())


def parse_filter(*, project: Project, params: Mapping[str, str]) -> CompanyFilter:
    """Read the filter from query parameters; a bad value leaves a message, never raises."""
    found = CompanyFilter()
    outcome = params.get("outcome", "").strip()
    if outcome and outcome != POSITIVE and outcome not in Outcome.values:
        found.errors.append(_("Невідомий тип клієнта: «%(value)s».") % {"value": outcome[:40]})
    else:
        found.outcome = outcome
    found.phase = _phase(project, params.get("phase", "").strip(), found.errors)
    found.reprocessed = _flag(params.get("reprocessed", ""), "reprocessed", found.errors)
    found.earned = bool(_flag(params.get("earned", ""), "earned", found.errors))
    found.earned = found.earned or found.reprocessed is not None
    found.worked = bool(_flag(params.get("worked", ""), "worked", found.errors))
    found.manager_id = _manager(params.get("manager", "").strip(), found.errors)
    found.worked = found.worked or (found.manager_id is not None and not found.earned)
    for name in ("category", "region"):
        value = params.get(name, "").strip()
        if len(value) > MAX_TEXT:
            found.errors.append(_("Задовге значення фільтра «%(name)s».") % {"name": name})
        else:
            setattr(found, name, value)
    return found


def companies_behind(*, project: Project, chosen: CompanyFilter) -> QuerySet[Company]:
    """The project's companies the filter selects (none while the filter has errors)."""
    companies = Company.objects.filter(project=project)
    if not chosen.is_valid:
        return companies.none()
    if chosen.category:
        companies = companies.filter(category=chosen.category)
    if chosen.region:
        companies = companies.filter(region=chosen.region)
    if chosen.earned:
        return companies.filter(pk__in=_earned_company_ids(project, chosen))
    if chosen.worked:
        cycles = ProcessingCycle.objects.filter(project=project)
        if chosen.phase is not None:
            cycles = cycles.filter(phase=chosen.phase)
        if chosen.manager_id is not None:
            cycles = cycles.filter(manager_id=chosen.manager_id)
        companies = companies.filter(pk__in=cycles.values("company_id"))
        if chosen.outcomes:
            companies = companies.filter(outcome__in=chosen.outcomes)
        return companies
    if chosen.outcomes:
        companies = companies.filter(outcome__in=chosen.outcomes)
    if chosen.phase is not None:
        start, end = phase_bounds(chosen.phase)
        companies = companies.filter(last_contact_at__gte=start, last_contact_at__lt=end)
    return companies


def earned_events(*, project: Project, outcomes: list[str]) -> QuerySet[Event]:
    """The project's OUTCOME events that set one of ``outcomes`` (the growth's raw material)."""
    return Event.objects.filter(
        project=project, kind=EventKind.OUTCOME, payload__outcome__in=outcomes
    )


def _earned_company_ids(project: Project, chosen: CompanyFilter) -> QuerySet[Event]:
    events = earned_events(project=project, outcomes=chosen.outcomes or sorted(POSITIVE_OUTCOMES))
    if chosen.phase is not None:
        events = events.filter(payload__phase=chosen.phase.number)
    if chosen.manager_id is not None:
        events = events.filter(actor_id=chosen.manager_id)
    if chosen.reprocessed is True:
        events = events.filter(payload__previous=Outcome.CALLBACK)
    elif chosen.reprocessed is False:
        # A first outcome has no "previous" key: SQL's NULL would drop it from a bare exclude.
        events = events.filter(
            Q(payload__previous__isnull=True) | ~Q(payload__previous=Outcome.CALLBACK)
        )
    return events.values("company_id")


def phase_bounds(phase: Phase) -> tuple[datetime, datetime]:
    """From the start of the phase's first day to the start of the day after its last."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(phase.starts_on, time.min), tz)
    end = timezone.make_aware(datetime.combine(phase.ends_on + timedelta(days=1), time.min), tz)
    return start, end


def _phase(project: Project, number: str, errors: list[str]) -> Phase | None:
    if not number:
        return None
    if not number.isdigit() or len(number) > 4:
        errors.append(_("Номер фази має бути числом."))
        return None
    phase = Phase.objects.filter(project=project, number=int(number)).first()
    if phase is None:
        errors.append(_("У проєкті немає фази %(number)s.") % {"number": number})
    return phase


def _flag(value: str, name: str, errors: list[str]) -> bool | None:
    value = value.strip()
    if not value:
        return None
    if value not in FLAGS:
        errors.append(_("Параметр «%(name)s» може бути лише 0 або 1.") % {"name": name})
        return None
    return FLAGS[value]


def _manager(value: str, errors: list[str]) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        errors.append(_("Менеджер має бути вказаний числом."))
        return None
    return int(value)
