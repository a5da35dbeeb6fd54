"""The base agreement page: who sees it, who may act on it, and what each step changes."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from tests.conftest import World
from zbut.accounts.models import User
from zbut.bases.agreements import (
    MSG_BAD_PHASE,
    MSG_CANNOT_DECIDE,
    comment_on_company,
    send_for_agreement,
)
from zbut.bases.models import AgreementState, BaseAgreement, BaseState, Company
from zbut.bases.services import CompanyDraft, PhoneDraft, add_companies
from zbut.history.models import Event, EventKind
from zbut.projects.models import Project
from zbut.projects.services import plan_phase

pytestmark = pytest.mark.django_db


def make_base(project: Project, count: int = 4) -> list[Company]:
    drafts = [
        CompanyDraft(
            name=f"Фірма {i}",
            legal_form="ПП",
            category="Елеватори" if i % 2 else "Склади",
            region="Полтавська обл.",
            source="youcontrol",
            phones=[PhoneDraft(f"+38050111220{i}")],
            emails=[f"office{i}@firma.ua"],
        )
        for i in range(count)
    ]
    return add_companies(project=project, drafts=drafts)


def signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def page_url(slug: str = "a-system") -> str:
    return reverse("bases:agreement", args=[slug])


def test_the_coordinator_sends_the_base_and_the_owner_gets_a_mail(
    world: World, django_capture_on_commit_callbacks
) -> None:
    make_base(world.project_a)
    http = signed_in(world.coordinator)
    page = http.get(page_url()).content.decode()
    assert 'id="send-for-agreement"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("bases:agreement_send", args=["a-system"]), {})
    assert response.status_code == 302
    assert BaseAgreement.objects.get().proposed == 4
    (message,) = mail.outbox
    assert message.to == ["alice@a.ua"]
    assert "http://testserver/p/a-system/base/agreement/" in message.body


def test_the_owner_sees_the_proposed_companies_filters_and_acts(world: World) -> None:
    companies = make_base(world.project_a)
    send_for_agreement(project=world.project_a, actor=world.coordinator)
    http = signed_in(world.alice)
    page = http.get(page_url()).content.decode()
    assert page.count("data-company=") == 4
    assert "ПП Фірма 0" in page
    assert "+380501112200" in page
    assert "office0@firma.ua" in page
    assert "youcontrol" in page
    assert "Виключити вибрані" in page
    assert "Погодити базу" in page
    assert 'id="send-for-agreement"' not in page

    filtered = http.get(page_url() + "?category=Склади").content.decode()
    assert filtered.count("data-company=") == 2

    agreement = BaseAgreement.objects.get()
    response = http.post(
        reverse("bases:agreement_exclude", args=["a-system", agreement.pk]),
        {"company": [companies[0].pk], "reason": "вже наш клієнт", "next": page_url()},
    )
    assert response["Location"] == page_url()
    excluded = Company.objects.get(pk=companies[0].pk)
    assert (excluded.base_state, excluded.excluded_reason) == ("excluded", "вже наш клієнт")

    http.post(
        reverse("bases:company_comment", args=["a-system", companies[1].pk]),
        {"text": "Дзвонити після обіду"},
    )
    assert "Дзвонити після обіду" in http.get(page_url()).content.decode()

    http.post(
        reverse("bases:agreement_exclude_category", args=["a-system", agreement.pk]),
        {"category": "Елеватори", "reason": "не наш сегмент"},
    )
    response = http.post(reverse("bases:agreement_approve", args=["a-system", agreement.pk]))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.state, agreement.approved, agreement.excluded) == ("approved", 1, 3)
    states = dict(Company.objects.values_list("pk", "base_state"))
    assert states[companies[2].pk] == BaseState.APPROVED
    page = http.get(page_url()).content.decode()
    assert "Базу погоджено" in page
    assert 'data-state="approved">1<' in page


def test_errors_of_a_step_are_shown_and_change_nothing(world: World) -> None:
    companies = make_base(world.project_a)
    agreement = send_for_agreement(project=world.project_a, actor=world.coordinator)
    http = signed_in(world.alice)
    response = http.post(
        reverse("bases:agreement_exclude", args=["a-system", agreement.pk]),
        {"company": [companies[0].pk], "reason": ""},
        follow=True,
    )
    assert "Вкажіть причину виключення." in response.content.decode()
    response = http.post(
        reverse("bases:company_comment", args=["a-system", companies[0].pk]),
        {"text": "я" * 2001},
        follow=True,
    )
    assert "Коментар задовгий: не більше 2000 символів." in response.content.decode()
    assert set(Company.objects.values_list("base_state", flat=True)) == {BaseState.PROPOSED}
    assert not Event.objects.filter(kind=EventKind.CLIENT_COMMENT).exists()


def test_the_viewer_reads_but_cannot_approve_or_exclude(world: World) -> None:
    companies = make_base(world.project_a)
    agreement = send_for_agreement(project=world.project_a, actor=world.coordinator)
    http = signed_in(world.bob)
    page = http.get(page_url()).content.decode()
    assert page.count("data-company=") == 4
    assert "Погодити базу" not in page
    assert 'name="company"' not in page
    response = http.post(
        reverse("bases:agreement_approve", args=["a-system", agreement.pk]), follow=True
    )
    assert str(MSG_CANNOT_DECIDE) in response.content.decode()
    http.post(
        reverse("bases:agreement_exclude", args=["a-system", agreement.pk]),
        {"company": [companies[0].pk], "reason": "x"},
    )
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SENT
    assert set(Company.objects.values_list("base_state", flat=True)) == {BaseState.PROPOSED}


def test_comments_show_on_the_page_without_a_query_per_company(
    world: World, django_assert_max_num_queries
) -> None:
    companies = make_base(world.project_a, count=12)
    send_for_agreement(project=world.project_a, actor=world.coordinator)
    for company in companies:
        comment_on_company(company=company, text=f"нотатка {company.pk}", actor=world.alice)
    http = signed_in(world.alice)
    http.get(page_url())  # warm the session and the membership
    with django_assert_max_num_queries(20):
        page = http.get(page_url()).content.decode()
    assert page.count("нотатка ") == 12


@pytest.mark.parametrize(
    ("person", "slug"),
    [("charlie", "a-system"), ("alice", "b-system"), ("bob", "b-system"), ("manager", "a-system")],
)
def test_other_clients_and_managers_get_404_on_every_agreement_route(
    world: World, person: str, slug: str
) -> None:
    companies = make_base(world.project_a) + make_base(world.project_b)
    send_for_agreement(project=world.project_a, actor=world.coordinator)
    send_for_agreement(project=world.project_b, actor=world.coordinator)
    agreement = BaseAgreement.objects.get(project__slug=slug)
    company = next(c for c in companies if c.project.slug == slug)
    http = signed_in(getattr(world, person))
    assert http.get(page_url(slug)).status_code == 404
    posts = [
        reverse("bases:agreement_send", args=[slug]),
        reverse("bases:agreement_exclude", args=[slug, agreement.pk]),
        reverse("bases:agreement_exclude_category", args=[slug, agreement.pk]),
        reverse("bases:agreement_approve", args=[slug, agreement.pk]),
        reverse("bases:company_comment", args=[slug, company.pk]),
    ]
    for url in posts:
        response = http.post(url, {"reason": "x", "category": "Склади", "text": "x"})
        assert response.status_code == 404, url
    assert not BaseAgreement.objects.filter(state=AgreementState.APPROVED).exists()


def test_an_agreement_of_another_project_is_not_reachable_through_mine(world: World) -> None:
    make_base(world.project_b)
    other = send_for_agreement(project=world.project_b, actor=world.coordinator)
    http = signed_in(world.alice)
    url = reverse("bases:agreement_approve", args=["a-system", other.pk])
    assert http.post(url).status_code == 404
    other.refresh_from_db()
    assert other.state == AgreementState.SENT


def test_clients_cannot_send_a_base(world: World) -> None:
    make_base(world.project_a)
    response = signed_in(world.alice).post(reverse("bases:agreement_send", args=["a-system"]))
    assert response.status_code == 404
    assert not BaseAgreement.objects.exists()


def test_the_coordinator_sends_a_slice_for_a_planned_phase(world: World) -> None:
    make_base(world.project_a)
    plan_phase(project=world.project_a, starts_on=date(2026, 12, 14), ends_on=date(2026, 12, 25))
    http = signed_in(world.coordinator)
    assert "фаза 1 · 14.12–25.12.2026" in http.get(page_url()).content.decode()
    send = reverse("bases:agreement_send", args=["a-system"])
    for bad in ("7", "нуль"):  # no such phase; not a number
        response = http.post(send, {"phase": bad}, follow=True)
        assert str(MSG_BAD_PHASE) in response.content.decode()
    assert not BaseAgreement.objects.exists()
    http.post(send, {"phase": "1"})
    agreement = BaseAgreement.objects.get()
    assert agreement.phase.number == 1 and agreement.proposed == 4
    assert "фаза 1" in http.get(page_url()).content.decode()
