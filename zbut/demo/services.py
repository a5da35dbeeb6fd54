"""Loading the demo agency: its people, two clients, their projects, bases and desk history.

Every step first looks at what is already there, so loading twice changes nothing and a load
cut short is finished by the next one: people, clients and projects are created when missing,
a base is topped up to its size with the same companies a full load would have drawn, phases
are opened when missing, and a project's desk history is simulated once, in one transaction.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from django.db import connection, transaction
from django.utils import timezone

from zbut.accounts.models import Client, Membership, Role, User
from zbut.accounts.services import create_client, create_user
from zbut.bases.models import BaseState, Company
from zbut.bases.services import add_companies
from zbut.demo.generators import CompanyGenerator, valid_edrpou
from zbut.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from zbut.demo.projects import DEMO_CLIENTS, ClientSpec, ProjectSpec
from zbut.demo.simulation import (
    KYIV,
    CompanyState,
    DeskScenario,
    PhaseWindow,
    plan_desk_work,
)
from zbut.desk.models import ProcessingCycle
from zbut.desk.rules import kyiv_day
from zbut.history.models import Event, EventKind
from zbut.history.services import NewEvent, record_events
from zbut.projects.models import Project, ProjectKind
from zbut.projects.services import assign_manager, create_project, open_phase

DEFAULT_COMPANIES = 3000
DEFAULT_SEED = 2026
DERIVED_FIELDS = ("outcome", "contact_count", "last_contact_at", "next_callback_on")


@dataclass
class ProjectReport:
    slug: str
    companies: int = 0
    companies_added: int = 0
    phases_opened: int = 0
    events_recorded: int = 0
    processed: int = 0


@dataclass
class DemoReport:
    clients_created: list[str] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    projects: list[ProjectReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(
            self.clients_created
            or self.users_created
            or any(p.companies_added or p.phases_opened or p.events_recorded for p in self.projects)
        )


def load_demo(
    *, companies: int = DEFAULT_COMPANIES, seed: int = DEFAULT_SEED, now: datetime | None = None
) -> DemoReport:
    """Load (or complete) the demo agency; ``companies`` sizes the main system project's base.

    Not one transaction: the services it calls are durable transactions of their own. Each
    step is idempotent instead, and the desk history of a project is written atomically.
    """
    started = time.monotonic()
    now = now or timezone.now()
    report = DemoReport()
    agency_people = _ensure_people(client=None, report=report)
    coordinator = agency_people[next(x.email for x in DEMO_LOGINS if x.role == Role.COORDINATOR)]
    for client_spec in DEMO_CLIENTS:
        client = _ensure_client(client_spec, seed=seed, actor=coordinator, report=report)
        _ensure_people(client=client, report=report)
        for spec in client_spec.projects:
            project = _ensure_project(client, spec, now=now, actor=coordinator)
            prepared_at = _setup_time(project.starts_on - timedelta(days=2), now)
            for email in spec.managers:
                assign_manager(
                    project=project,
                    manager=agency_people[email],
                    actor=coordinator,
                    occurred_at=prepared_at,
                )
            project_report = ProjectReport(slug=project.slug)
            report.projects.append(project_report)
            project_report.companies_added = top_up_base(
                project=project,
                size=spec.base_size(companies),
                seed=f"{seed}:{spec.slug}",
                spec=spec,
                actor=coordinator,
                occurred_at=prepared_at,
            )
            project_report.phases_opened = _ensure_phases(project, spec, now, coordinator)
            project_report.events_recorded = simulate_desk_work(
                project=project,
                scenario=_scenario(project, spec),
                seed=f"{seed}:{spec.slug}:desk",
                now=now,
            )
            project_report.companies = project.companies.count()
            project_report.processed = project.companies.exclude(outcome="").count()
    report.seconds = time.monotonic() - started
    return report


def top_up_base(
    *,
    project: Project,
    size: int,
    seed: str,
    spec: ProjectSpec,
    actor: User | None,
    occurred_at: datetime | None = None,
) -> int:
    """Add the companies the project's base lacks to reach ``size``; returns how many.

    The generator draws the same sequence for a seed, so the companies already there are the
    first ones of that sequence and only the rest is added.
    """
    existing = Company.objects.filter(project=project).count()
    if existing >= size:
        return 0
    drafts = CompanyGenerator(seed=seed, categories=spec.categories).companies(size)[existing:]
    add_companies(
        project=project,
        drafts=drafts,
        actor=actor,
        base_state=BaseState.APPROVED,
        occurred_at=occurred_at,
    )
    return len(drafts)


@transaction.atomic(durable=True)
def simulate_desk_work(
    *, project: Project, scenario: DeskScenario, seed: int | str, now: datetime
) -> int:
    """Write the managers' simulated work on the project's base; returns the events written.

    The desk's calls (ATTEMPT) and results (OUTCOME, with a Ukrainian note and the phase) are
    planned by ``zbut.demo.simulation``, appended to the project's chain oldest first (so the
    chain runs in time order), and each touched company's derived state (outcome, contact
    count, last contact, next callback) is set from its events, in this same transaction.

    Idempotent: a project that already has desk history is left alone and 0 is returned.
    """
    desk_kinds = (EventKind.ATTEMPT, EventKind.OUTCOME)
    if Event.objects.filter(project=project, kind__in=desk_kinds).exists():
        return 0
    company_ids = list(
        Company.objects.filter(project=project).order_by("pk").values_list("pk", flat=True)
    )
    manager_ids = list(
        project.assignments.order_by("manager__email").values_list("manager_id", flat=True)
    )
    plan = plan_desk_work(
        company_ids=company_ids, manager_ids=manager_ids, scenario=scenario, seed=seed, now=now
    )
    record_events(
        project=project,
        drafts=[
            NewEvent(
                kind=event.kind,
                payload=event.payload,
                company_id=event.company_id,
                actor_id=event.actor_id,
                occurred_at=event.occurred_at,
            )
            for event in plan.events
        ],
    )
    _store_derived_state(project=project, states=plan.states)
    _count_cycles(project=project, events=plan.events)
    return len(plan.events)


def _count_cycles(*, project: Project, events: list) -> None:
    """The processing cycles the simulated outcomes earned: one per company per Kyiv day."""
    phases = {phase.number: phase.pk for phase in project.phases.all()}
    cycles = {
        (event.company_id, kyiv_day(event.occurred_at)): ProcessingCycle(
            client_id=project.client_id,
            project=project,
            phase_id=phases.get(event.payload.get("phase")),
            company_id=event.company_id,
            manager_id=event.actor_id,
            day=kyiv_day(event.occurred_at),
            counted_at=event.occurred_at,
        )
        for event in events
        if event.kind == EventKind.OUTCOME
    }
    ProcessingCycle.objects.bulk_create(cycles.values(), batch_size=2000, ignore_conflicts=True)


def _store_derived_state(*, project: Project, states: dict[int, CompanyState]) -> None:
    """Write each touched company's derived fields, one UPDATE per company in one executemany.

    ``bulk_update`` builds a CASE expression per field per row and cost more than all the
    rest of a 3 000-company load together; a prepared UPDATE run many times is ~20× faster.
    """
    meta, ops = Company._meta, connection.ops
    columns = ", ".join(f"{ops.quote_name(meta.get_field(f).column)} = %s" for f in DERIVED_FIELDS)
    # Only identifiers from the model's own metadata are formatted in; values are parameters.
    table, pk = ops.quote_name(meta.db_table), ops.quote_name(meta.pk.column)
    project_column = ops.quote_name(meta.get_field("project").column)
    sql = f"UPDATE {table} SET {columns} WHERE {pk} = %s AND {project_column} = %s"  # noqa: S608
    rows = [
        (
            state.outcome,
            state.contact_count,
            ops.adapt_datetimefield_value(state.last_contact_at),
            ops.adapt_datefield_value(state.next_callback_on),
            company_id,
            project.pk,
        )
        for company_id, state in states.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _scenario(project: Project, spec: ProjectSpec) -> DeskScenario:
    size = project.companies.count()
    phases = tuple(
        PhaseWindow(
            number=phase.number,
            starts_on=phase.starts_on,
            ends_on=phase.ends_on,
            fresh=round(size * spec.phases[phase.number - 1].fresh_share),
        )
        for phase in project.phases.order_by("number")
        if phase.number <= len(spec.phases)
    )
    return DeskScenario(phases=phases, reprocess_callbacks=spec.kind == ProjectKind.SYSTEM)


def _ensure_people(*, client: Client | None, report: DemoReport) -> dict[str, User]:
    """The demo logins of the agency (client None) or of one client, created when missing."""
    slug = client.slug if client else None
    people = {}
    for login in DEMO_LOGINS:
        if login.client_slug != slug:
            continue
        user = User.objects.filter(email=login.email).first()
        has_role = user is not None and Membership.objects.filter(user=user, client=client).exists()
        if not has_role:
            user = create_user(
                email=login.email,
                role=login.role,
                client=client,
                password=DEMO_PASSWORD,
                full_name=login.full_name,
            )
            report.users_created.append(login.email)
        assert user is not None
        people[login.email] = user
    return people


def _ensure_client(spec: ClientSpec, *, seed: int, actor: User, report: DemoReport) -> Client:
    client = Client.objects.filter(slug=spec.slug).first()
    if client is not None:
        return client
    edrpou = valid_edrpou(random.Random(f"{seed}:{spec.slug}:edrpou"))
    report.clients_created.append(spec.slug)
    return create_client(slug=spec.slug, name=spec.name, edrpou=edrpou, actor=actor)


def _setup_time(day: date, now: datetime) -> datetime:
    """Set-up work (projects, bases, phases) happens at 8:30 Kyiv on its day, never after now."""
    return min(datetime.combine(day, clock_time(8, 30), tzinfo=KYIV), now)


def _ensure_project(client: Client, spec: ProjectSpec, *, now: datetime, actor: User) -> Project:
    project = Project.objects.filter(slug=spec.slug).first()
    if project is not None:
        return project
    today = now.astimezone(KYIV).date()
    return create_project(
        client=client,
        slug=spec.slug,
        kind=spec.kind,
        name=spec.name,
        starts_on=today + timedelta(days=spec.starts_in_days),
        ends_on=today + timedelta(days=spec.ends_in_days),
        monthly_fee=spec.monthly_fee,
        price_per_company=spec.price_per_company,
        price_cap=spec.price_cap,
        contracted_cycles=spec.contracted_cycles,
        contracted_machine_reach=spec.contracted_machine_reach,
        positive_cap=spec.positive_cap,
        script=spec.script,
        offer_summary=spec.offer_summary,
        actor=actor,
        occurred_at=_setup_time(today + timedelta(days=spec.starts_in_days - 3), now),
    )


def _ensure_phases(project: Project, spec: ProjectSpec, now: datetime, actor: User) -> int:
    """Open the spec's phases the project does not have yet, in order."""
    today = now.astimezone(KYIV).date()
    existing = project.phases.count()
    for phase in spec.phases[existing:]:
        starts_on = today + timedelta(days=phase.starts_in_days)
        open_phase(
            project=project,
            starts_on=starts_on,
            ends_on=today + timedelta(days=phase.ends_in_days),
            actor=actor,
            occurred_at=_setup_time(starts_on, now),
        )
    return max(0, len(spec.phases) - existing)
