"""The demo's clients and projects: their terms (numbers from the seeds), texts and timeline.

Dates are offsets from the day of loading (Kyiv time), so the demo always looks current:
phase 1 of the system project is closed, phase 2 runs and contains today.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from zbut.demo import texts
from zbut.demo.catalogue import LIGHTING_CATEGORIES, LOGISTICS_CATEGORIES, Category
from zbut.demo.logins import DEMO_CLIENT_B_SLUG, DEMO_CLIENT_SLUG

MANAGERS = ("manager1@demo.zbut.ua", "manager2@demo.zbut.ua", "manager3@demo.zbut.ua")


@dataclass(frozen=True)
class PhaseSpec:
    starts_in_days: int
    ends_in_days: int
    fresh_share: float  # share of the base called for the first time in this phase


@dataclass(frozen=True)
class ProjectSpec:
    slug: str
    kind: str
    name: str
    starts_in_days: int
    ends_in_days: int
    phases: tuple[PhaseSpec, ...]
    managers: tuple[str, ...]
    categories: tuple[Category, ...]
    base_share: float = 1.0  # of --companies
    base_minimum: int = 0
    monthly_fee: Decimal | None = None
    price_per_company: Decimal | None = None
    price_cap: Decimal | None = None
    contracted_cycles: int = 0
    contracted_machine_reach: int = 0
    positive_cap: int | None = None
    script: str = ""
    offer_summary: str = ""

    def base_size(self, companies: int) -> int:
        return max(self.base_minimum, round(companies * self.base_share))


@dataclass(frozen=True)
class ClientSpec:
    slug: str
    name: str
    projects: tuple[ProjectSpec, ...]


DEMO_CLIENTS: tuple[ClientSpec, ...] = (
    ClientSpec(
        slug=DEMO_CLIENT_SLUG,
        name="ТОВ «Агро-Світло Україна»",
        projects=(
            ProjectSpec(
                slug="demo-system",
                kind="system",
                name="LED-освітлення для агро і складів: системний проєкт",
                starts_in_days=-28,
                ends_in_days=155,
                phases=(PhaseSpec(-27, -15, 0.55), PhaseSpec(-14, 3, 0.22)),
                managers=MANAGERS,
                categories=LIGHTING_CATEGORIES,
                monthly_fee=Decimal("10885.00"),
                contracted_cycles=2000,
                contracted_machine_reach=12000,
                script=texts.LIGHTING_SCRIPT,
                offer_summary=texts.LIGHTING_OFFER,
            ),
            ProjectSpec(
                slug="demo-pilot",
                kind="pilot",
                name="LED-освітлення для зерносховищ: пілот",
                starts_in_days=-9,
                ends_in_days=21,
                phases=(PhaseSpec(-9, 5, 0.8),),
                managers=MANAGERS,
                categories=LIGHTING_CATEGORIES,
                base_share=0.1,
                base_minimum=50,
                price_per_company=Decimal("50.70"),
                price_cap=Decimal("5300.00"),
                contracted_cycles=250,
                contracted_machine_reach=400,
                positive_cap=100,
                script=texts.LIGHTING_SCRIPT,
                offer_summary=texts.PILOT_OFFER,
            ),
        ),
    ),
    ClientSpec(
        slug=DEMO_CLIENT_B_SLUG,
        name="ТОВ «Західна Логістична Група»",
        projects=(
            ProjectSpec(
                slug="demo-b-system",
                kind="system",
                name="Складська логістика: системний проєкт",
                starts_in_days=-20,
                ends_in_days=160,
                phases=(PhaseSpec(-6, 8, 0.5),),
                managers=MANAGERS[2:],
                categories=LOGISTICS_CATEGORIES,
                base_share=0.02,
                base_minimum=40,
                monthly_fee=Decimal("9346.50"),
                contracted_cycles=1800,
                contracted_machine_reach=6000,
                script=texts.LOGISTICS_SCRIPT,
                offer_summary=texts.LOGISTICS_OFFER,
            ),
        ),
    ),
)
