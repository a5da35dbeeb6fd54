"""The base agreement: the coordinator sends, the client's owner excludes, comments, approves."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from tests.conftest import World
from zbut.bases.agreements import (
    COMMENT_MAX_CHARS,
    MSG_CANNOT_DECIDE,
    MSG_NOT_OPEN,
    MSG_NOTHING_TO_SEND,
    AgreementError,
    AgreementErrorCode,
    AgreementPermissionDenied,
    approve,
    comment_on_company,
    exclude_category,
    exclude_companies,
    send_for_agreement,
)
from zbut.bases.models import AgreementState, BaseAgreement, BaseState, Company
from zbut.bases.services import CompanyDraft, PhoneDraft, add_companies
from zbut.history.audit import verify_chains
from zbut.history.models import Event, EventKind
from zbut.projects.models import Project
from zbut.projects.services import open_phase, plan_phase

pytestmark = pytest.mark.django_db


def make_base(project: Project) -> list[Company]:
    drafts = [
        CompanyDraft(
            name=f"Компанія {i}",
            legal_form="ТОВ",
            category="Агрохолдинги" if i < 3 else "Склади",
            region="м. Київ" if i % 2 else "Львівська обл.",
            phones=[PhoneDraft(f"+38067294510{i}")],
        )
        for i in range(5)
    ]
    return add_companies(project=project, drafts=drafts)


def states(project: Project) -> dict[str, int]:
    companies = Company.objects.filter(project=project).order_by("name")
    return dict(companies.values_list("name", "base_state"))


def test_sending_proposes_the_new_companies_and_mails_the_owners(
    world: World, django_capture_on_commit_callbacks
) -> None:
    make_base(world.project_a)
    with django_capture_on_commit_callbacks(execute=True):
        agreement = send_for_agreement(
            project=world.project_a, actor=world.coordinator, site_url="https://zbut.example/"
        )
    assert agreement.state == AgreementState.SENT
    assert agreement.proposed == 5
    assert set(states(world.project_a).values()) == {BaseState.PROPOSED}
    assert Event.objects.filter(kind=EventKind.BASE_SENT_FOR_AGREEMENT).count() == 5
    (message,) = mail.outbox
    assert message.to == ["alice@a.ua"]  # the owner, not bob the viewer
    assert "5" in message.body
    assert "https://zbut.example/p/a-system/base/agreement/" in message.body
    assert verify_chains().is_intact


def test_a_slice_sends_only_its_category_and_region(world: World) -> None:
    make_base(world.project_a)
    agreement = send_for_agreement(
        project=world.project_a, actor=world.admin, category="Агрохолдинги", region="м. Київ"
    )
    assert agreement.proposed == 1  # Компанія 1
    assert states(world.project_a)["Компанія 1"] == BaseState.PROPOSED
    assert list(states(world.project_a).values()).count(BaseState.NEW) == 4


def test_a_slice_for_a_phase_plans_its_companies_for_that_phase(
    world: World, django_capture_on_commit_callbacks
) -> None:
    make_base(world.project_a)
    open_phase(project=world.project_a, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 11))
    second = plan_phase(
        project=world.project_a, starts_on=date(2026, 12, 14), ends_on=date(2026, 12, 25)
    )
    with django_capture_on_commit_callbacks(execute=True):
        agreement = send_for_agreement(
            project=world.project_a, actor=world.coordinator, category="Склади", phase=second
        )
    assert (agreement.proposed, agreement.phase) == (2, second)
    planned = Company.objects.filter(planned_phase=second).values_list("category", flat=True)
    assert list(planned) == ["Склади", "Склади"]
    sent = Event.objects.filter(kind=EventKind.BASE_SENT_FOR_AGREEMENT)
    assert {e.payload["phase"] for e in sent} == {2}
    (message,) = mail.outbox
    assert "фази 2" in message.body and "14.12.2026" in message.body


def test_a_closed_or_foreign_phase_cannot_be_planned_for(world: World) -> None:
    make_base(world.project_a)
    first = open_phase(
        project=world.project_a, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 5)
    )
    open_phase(project=world.project_a, starts_on=date(2026, 12, 8), ends_on=date(2026, 12, 12))
    foreign = open_phase(
        project=world.project_b, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 5)
    )
    for phase in (first, foreign):  # first is closed now
        with pytest.raises(AgreementError) as raised:
            send_for_agreement(project=world.project_a, actor=world.coordinator, phase=phase)
        assert raised.value.code == AgreementErrorCode.BAD_PHASE
    assert not BaseAgreement.objects.exists()


def test_nothing_new_to_send_is_a_clear_error(world: World) -> None:
    with pytest.raises(AgreementError) as error:
        send_for_agreement(project=world.project_a, actor=world.coordinator)
    assert error.value.code == AgreementErrorCode.NOTHING_TO_SEND
    assert error.value.message == MSG_NOTHING_TO_SEND
    assert not BaseAgreement.objects.exists()


@pytest.mark.parametrize("person", ["manager", "alice", "bob"])
def test_only_the_agency_coordinator_or_admin_sends(world: World, person: str) -> None:
    make_base(world.project_a)
    with pytest.raises(AgreementPermissionDenied):
        send_for_agreement(project=world.project_a, actor=getattr(world, person))
    assert set(states(world.project_a).values()) == {BaseState.NEW}


def test_the_owner_excludes_companies_with_a_reason_one_event_each(world: World) -> None:
    companies = make_base(world.project_a)
    agreement = send_for_agreement(project=world.project_a, actor=world.coordinator)
    count = exclude_companies(
        agreement=agreement,
        company_ids=[companies[0].pk, companies[1].pk, 999_999],
        reason="  вже наш   клієнт ",
        actor=world.alice,
    )
    assert count == 2
    excluded = Company.objects.get(pk=companies[0].pk)
    assert (excluded.base_state, excluded.excluded_reason) == (BaseState.EXCLUDED, "вже наш клієнт")
    events = Event.objects.filter(kind=EventKind.COMPANY_EXCLUDED)
    assert {e.company_id for e in events} == {companies[0].pk, companies[1].pk}
    assert {e.payload["reason"] for e in events} == {"вже наш клієнт"}
    assert {e.actor_id for e in events} == {world.alice.pk}


def test_excluding_needs_a_reason(world: World) -> None:
    companies = make_base(world.project_a)
    agreement = send_for_agreement(project=world.project_a, actor=world.coordinator)
    with pytest.raises(AgreementError) as error:
        exclude_companies(
            agreement=agreement, company_ids=[companies[0].pk], reason=" ", actor=world.alice
        )
    assert error.value.code == AgreementErrorCode.NO_REASON
    assert Company.objects.get(pk=companies[0].pk).base_state == BaseState.PROPOSED


def test_the_owner_excludes_a_whole_category(world: World) -> None:
    make_base(world.project_a)
    agreement = send_for_agreement(project=world.project_a, actor=world.coordinator)
    count = exclude_category(
        agreement=agreement, category="Склади", reason="не наш сегмент", actor=world.alice
    )
    assert count == 2
    assert states(world.project_a)["Компанія 4"] == BaseState.EXCLUDED
    event = Event.objects.filter(kind=EventKind.COMPANY_EXCLUDED).first()
    assert event.payload["category"] == "Склади"


def test_approval_approves_what_was_not_excluded_and_mails_the_coordinators(
    world: World, django_capture_on_commit_callbacks
) -> None:
    companies = make_base(world.project_a)
    agreement = send_for_agreement(project=world.project_a, actor=world.admin)
    exclude_companies(
        agreement=agreement, company_ids=[companies[0].pk], reason="вже наш клієнт",
        actor=world.alice,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        approved = approve(agreement=agreement, actor=world.alice)
    assert (approved.state, approved.approved, approved.excluded) == ("approved", 4, 1)
    assert approved.approved_by == world.alice
    assert list(states(world.project_a).values()).count(BaseState.APPROVED) == 4
    (event,) = Event.objects.filter(kind=EventKind.BASE_APPROVED)
    assert event.payload == {"agreement": agreement.pk, "approved": 4, "excluded": 1}
    assert event.company_id is None
    (message,) = mail.outbox
    assert sorted(message.to) == ["admin@agency.ua", "coord@agency.ua"]
    assert "4" in message.body
    assert verify_chains().is_intact


def test_an_approved_agreement_cannot_change_again(world: World) -> None:
    companies = make_base(world.project_a)
    agreement = send_for_agreement(project=world.project_a, actor=world.coordinator)
    approve(agreement=agreement, actor=world.alice)
    with pytest.raises(AgreementError) as error:
        exclude_companies(
            agreement=agreement, company_ids=[companies[0].pk], reason="x", actor=world.alice
        )
    assert error.value.message == MSG_NOT_OPEN
    assert Company.objects.get(pk=companies[0].pk).base_state == BaseState.APPROVED


@pytest.mark.parametrize("person", ["bob", "charlie", "coordinator", "manager"])
def test_only_the_clients_owner_excludes_comments_and_approves(world: World, person: str) -> None:
    companies = make_base(world.project_a)
    agreement = send_for_agreement(project=world.project_a, actor=world.coordinator)
    actor = getattr(world, person)
    with pytest.raises(AgreementPermissionDenied) as error:
        approve(agreement=agreement, actor=actor)
    assert error.value.message == MSG_CANNOT_DECIDE
    with pytest.raises(AgreementPermissionDenied):
        exclude_companies(
            agreement=agreement, company_ids=[companies[0].pk], reason="x", actor=actor
        )
    with pytest.raises(AgreementPermissionDenied):
        comment_on_company(company=companies[0], text="Привіт", actor=actor)
    assert set(states(world.project_a).values()) == {BaseState.PROPOSED}
    assert BaseAgreement.objects.get().state == AgreementState.SENT


def test_a_comment_is_a_client_comment_event(world: World) -> None:
    companies = make_base(world.project_a)
    send_for_agreement(project=world.project_a, actor=world.coordinator)
    company = Company.objects.get(pk=companies[2].pk)
    comment_on_company(company=company, text="  Дзвонити після 14:00 ", actor=world.alice)
    (event,) = Event.objects.filter(kind=EventKind.CLIENT_COMMENT)
    assert (event.company_id, event.actor_id) == (company.pk, world.alice.pk)
    assert event.payload["text"] == "Дзвонити після 14:00"


def test_a_comment_over_the_limit_is_refused_with_a_clear_error(world: World) -> None:
    companies = make_base(world.project_a)
    send_for_agreement(project=world.project_a, actor=world.coordinator)
    company = Company.objects.get(pk=companies[2].pk)
    with pytest.raises(AgreementError) as error:
        comment_on_company(company=company, text="я" * (COMMENT_MAX_CHARS + 1), actor=world.alice)
    assert error.value.code == AgreementErrorCode.COMMENT_TOO_LONG
    assert str(COMMENT_MAX_CHARS) in error.value.message
    assert not Event.objects.filter(kind=EventKind.CLIENT_COMMENT).exists()


def test_a_rolled_back_send_mails_nobody(
    world: World, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    make_base(world.project_a)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("zbut.bases.agreements.record_events", broken)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        send_for_agreement(project=world.project_a, actor=world.coordinator)
    assert mail.outbox == []
    assert not BaseAgreement.objects.exists()
    assert set(states(world.project_a).values()) == {BaseState.NEW}
