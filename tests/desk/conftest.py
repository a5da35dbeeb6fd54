"""A project ready for calling: an active phase and an approved base."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from zbut.bases.models import BaseState, PhoneKind
from zbut.bases.services import CompanyDraft, PhoneDraft, add_companies
from zbut.projects.services import open_phase


def approved_companies(project, count: int, *, category: str = "", region: str = "",
                       start: int = 0):  # fmt: skip
    return add_companies(
        project=project,
        drafts=[
            CompanyDraft(
                name=f"Компанія {start + i}",
                legal_form="ТОВ",
                category=category,
                region=region,
                contact_person="Петренко Олег",
                phones=[
                    PhoneDraft(f"+38067{1000000 + start + i}", PhoneKind.MOBILE, "Київстар"),
                    PhoneDraft(f"+38044{2000000 + start + i}", PhoneKind.LANDLINE),
                ],
                emails=[f"info{start + i}@firma.ua"],
            )
            for i in range(count)
        ],
        base_state=BaseState.APPROVED,
    )


@pytest.fixture
def desk(world):
    """world.project_a with phase 1 open today and 5 approved companies."""
    today = timezone.localdate()
    open_phase(project=world.project_a, starts_on=today - timedelta(days=3),
               ends_on=today + timedelta(days=10))  # fmt: skip
    world.companies = approved_companies(world.project_a, 5)
    return world
