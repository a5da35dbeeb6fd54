"""`zbut demo-data` loads a realistic, idempotent demo agency whose history adds up."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from stdnum.ua import edrpou

from zbut.accounts.models import Client, Membership, User
from zbut.bases.models import Company, CompanyEmail, CompanyPhone
from zbut.bases.outcomes import NORMS, Outcome
from zbut.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from zbut.history.models import Event, EventKind
from zbut.projects.models import Assignment, Phase, PhaseState, Project
from zbut.projects.selectors import projects_for

COMPANIES = 200


def load(companies: int = COMPANIES) -> str:
    out = StringIO()
    call_command("demo_data", companies=companies, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (Client, User, Membership, Project, Phase, Assignment, Company, CompanyPhone,
              CompanyEmail, Event)  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def test_demo_data_creates_clients_projects_people_and_bases(db: None) -> None:
    output = load()

    demo = Client.objects.get(slug="demo")
    assert edrpou.is_valid(demo.edrpou)
    assert Client.objects.filter(slug="demo-b").exists()
    system = Project.objects.get(slug="demo-system")
    pilot = Project.objects.get(slug="demo-pilot")
    assert (system.client, system.kind, system.monthly_fee) == (demo, "system", Decimal("10885"))
    assert (system.contracted_cycles, system.contracted_machine_reach) == (2000, 12000)
    assert (pilot.kind, pilot.price_per_company, pilot.price_cap) == (
        "pilot",
        Decimal("50.70"),
        Decimal("5300"),
    )
    assert (pilot.contracted_cycles, pilot.contracted_machine_reach, pilot.positive_cap) == (
        250,
        400,
        100,
    )
    assert system.script and system.offer_summary and pilot.offer_summary
    assert system.companies.count() == COMPANIES
    assert pilot.companies.count() == 50
    assert Project.objects.get(slug="demo-b-system").client.slug == "demo-b"
    for login in DEMO_LOGINS:
        assert User.objects.get(email=login.email).check_password(DEMO_PASSWORD)
        assert login.email in output
    for project in (system, pilot):
        managers = set(project.assignments.values_list("manager__email", flat=True))
        assert managers == {
            "manager1@demo.zbut.ua",
            "manager2@demo.zbut.ua",
            "manager3@demo.zbut.ua",
        }


def test_companies_look_like_a_ukrainian_base(db: None) -> None:
    load()

    companies = Company.objects.filter(project__slug="demo-system")
    assert companies.exclude(legal_form__in=["ТОВ", "ПП", "ФОП", "ПрАТ", "АТ", "ДП", "ТзОВ", "ФГ",
                                             "СТОВ"]).count() == 0  # fmt: skip
    for company in companies:
        assert company.source == "youcontrol"
        assert company.category and company.region and company.contact_person
        assert company.edrpou == "" or edrpou.is_valid(company.edrpou)
        assert company.legal_form == "ФОП" or company.name.startswith("«")
    with_code = companies.exclude(edrpou="").count()
    legal_entities = companies.exclude(legal_form="ФОП").count()
    assert with_code > 0.8 * legal_entities
    phones = CompanyPhone.objects.filter(company__project__slug="demo-system")
    assert all(p.e164.startswith("+380") and len(p.e164) == 13 for p in phones)
    assert {p.kind for p in phones} == {"mobile", "landline"}


def test_running_twice_changes_no_counts(db: None) -> None:
    load()
    before = counts()

    output = load()

    assert counts() == before
    assert "nothing changed" in output


def test_phase_one_outcome_shares_are_near_the_norms(db: None) -> None:
    load()

    payloads = Event.objects.filter(
        project__slug="demo-system", kind=EventKind.OUTCOME, payload__phase=1
    ).values_list("payload", flat=True)
    outcomes = Counter(payload["outcome"] for payload in payloads)
    processed = sum(outcomes.values())
    assert processed > 0.4 * COMPANIES
    for outcome, norm in NORMS.items():
        share = Decimal(outcomes[outcome.value] * 100) / processed
        assert norm.low - 3 <= share <= norm.high + 3, (outcome, share)


def test_every_company_state_is_derived_from_its_events(db: None) -> None:
    load()

    events = Event.objects.filter(kind=EventKind.OUTCOME).order_by("seq")
    latest, contacts = {}, Counter()
    for event in events:
        latest[event.company_id] = event
        contacts[event.company_id] += 1
    companies = Company.objects.all()
    assert any(company.outcome == "" for company in companies)  # some not reached yet
    for company in companies:
        event = latest.get(company.pk)
        if event is None:
            assert (company.outcome, company.contact_count, company.last_contact_at) == (
                "",
                0,
                None,
            )
            continue
        assert company.outcome == event.payload["outcome"]
        assert company.contact_count == contacts[company.pk]
        assert company.last_contact_at == event.occurred_at
        callback_on = company.next_callback_on.isoformat() if company.next_callback_on else None
        assert callback_on == event.payload.get("callback_on")


def test_the_desk_history_runs_in_time_and_shows_today(db: None) -> None:
    load()

    system = Project.objects.get(slug="demo-system")
    desk = Event.objects.filter(project=system, kind__in=[EventKind.ATTEMPT, EventKind.OUTCOME])
    times = list(desk.order_by("seq").values_list("occurred_at", flat=True))
    assert times == sorted(times)
    assert times[-1] <= timezone.now()
    today = timezone.localdate()
    assert desk.filter(occurred_at__date=today).exists()
    assert all(
        e.actor.memberships.get().role == "manager" for e in desk.select_related("actor")[:50]
    )
    assert system.companies.filter(next_callback_on__gt=today).exists()
    phase_1, phase_2 = system.phases.order_by("number")
    assert phase_1.state == PhaseState.CLOSED
    assert phase_2.state == PhaseState.ACTIVE and phase_2.starts_on <= today <= phase_2.ends_on
    reprocessed = desk.filter(kind=EventKind.OUTCOME, payload__phase=2).values("company_id")
    assert desk.filter(kind=EventKind.OUTCOME, payload__phase=1, company_id__in=reprocessed,
                       payload__outcome=Outcome.CALLBACK).exists()  # fmt: skip


def test_audit_verify_passes_after_loading(db: None) -> None:
    load()
    out = StringIO()

    call_command("audit", "verify", stdout=out)

    assert out.getvalue().startswith("ok:")


def test_a_manager_sees_only_assigned_projects(db: None) -> None:
    load()

    manager1 = Membership.objects.get(user__email="manager1@demo.zbut.ua")
    manager3 = Membership.objects.get(user__email="manager3@demo.zbut.ua")
    owner_b = Membership.objects.get(user__email="owner-b@demo.zbut.ua")
    slugs = {p.slug for p in projects_for(membership=manager1)}
    assert slugs == {"demo-system", "demo-pilot"}
    slugs = {p.slug for p in projects_for(membership=manager3)}
    assert slugs == {"demo-system", "demo-pilot", "demo-b-system"}
    assert {p.slug for p in projects_for(membership=owner_b)} == {"demo-b-system"}


@pytest.mark.parametrize("companies", [0, -5])
def test_bad_company_count_is_one_clear_error_with_status_2(db: None, companies: int) -> None:
    with pytest.raises(CommandError) as error:
        call_command("demo_data", companies=companies)

    assert error.value.returncode == 2
    assert "--companies" in str(error.value)
    assert not Client.objects.exists()


def test_every_simulated_decision_counts_its_processing_cycle(db: None) -> None:
    from zbut.desk.models import ProcessingCycle
    from zbut.history.models import EventKind

    load()
    project = Project.objects.get(slug="demo-system")
    outcomes = Event.objects.filter(project=project, kind=EventKind.OUTCOME)
    decided_days = {(e.company_id, timezone.localtime(e.occurred_at).date()) for e in outcomes}
    cycles = set(ProcessingCycle.objects.filter(project=project).values_list("company_id", "day"))
    assert cycles == decided_days
