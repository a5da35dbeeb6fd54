"""The data the history benchmarks write: a realistic agency and its call-desk events.

Everything is written through the real services: clients, projects, managers and companies
(with their `company_added` events) by the services of their apps, and the desk's events by
``record_events`` in big batches, so that the history holds real chained events that verify.
Run inside a configured Django process (see ``bench.run``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction

from zbut.accounts.services import create_client, create_user
from zbut.bases.services import CompanyDraft, PhoneDraft, add_companies
from zbut.history.models import Event, EventKind
from zbut.history.services import NewEvent, record_events
from zbut.projects.models import Project
from zbut.projects.services import assign_manager, create_project

PROJECTS_PER_CLIENT = 4
MANAGERS = 12
SEED = 20_26

NOTES = (
    "Просили передзвонити після 15-го, головний інженер у відпустці",
    "Секретар не з'єднує, просить надіслати КП на пошту",
    "Директор зацікавився, просить розрахунок на 3 об'єкти у Львові та Києві",
    "Мають постачальника, договір до кінця року; повернутися в грудні",
    "Номер не відповідає, спробувати мобільний з сайту",
    "Відповідальна особа — Олена Петрівна, закупівлі, вівторок–четвер 10:00–13:00",
    "Не займаються цим напрямом, просили більше не телефонувати",
    "Тендер на prozorro у березні, надіслати умови до 1-го",
)
OUTCOMES = ("interested", "warm", "callback", "existing", "hostile", "not_interested")
ATTEMPT_RESULTS = ("no_answer", "busy", "reached", "wrong_number", "voicemail")
LEGAL_FORMS = ("ТОВ", "ПП", "ФОП", "ПрАТ", "КП")
NAMES = ("Будмонтаж", "Агросвіт", "Дніпро-Сталь", "Карпати Тур", "Поділля Агро", "Техносервіс")
REGIONS = ("Київ", "Львівська", "Дніпропетровська", "Одеська", "Харківська", "Вінницька")
OPERATORS = ("Київстар", "Vodafone", "lifecell")


@dataclass(frozen=True)
class BenchProject:
    project: Project
    company_ids: list[int]


@dataclass(frozen=True)
class World:
    projects: list[BenchProject]
    manager_ids: list[int]


def build_world(*, projects: int, companies_per_project: int) -> World:
    """Clients, projects, managers and companies, created through their services."""
    rng = random.Random(SEED)
    managers = [
        create_user(email=f"manager{i}@agency.ua", role="manager", full_name=f"Менеджер {i}")
        for i in range(MANAGERS)
    ]
    built: list[BenchProject] = []
    client = None
    for number in range(projects):
        if number % PROJECTS_PER_CLIENT == 0:
            client = create_client(
                slug=f"client-{number // PROJECTS_PER_CLIENT}",
                name=f"ТОВ «Клієнт {number // PROJECTS_PER_CLIENT}»",
            )
        project = create_project(
            client=client,
            slug=f"project-{number}",
            kind="system" if number % 3 else "pilot",
            name=f"Проєкт {number}",
        )
        for manager in rng.sample(managers, 2):
            assign_manager(project=project, manager=manager)
        companies = add_companies(
            project=project,
            drafts=[_company(rng, number, i) for i in range(companies_per_project)],
        )
        built.append(BenchProject(project, [c.pk for c in companies]))
    return World(projects=built, manager_ids=[m.pk for m in managers])


def _company(rng: random.Random, project: int, number: int) -> CompanyDraft:
    return CompanyDraft(
        name=f"{rng.choice(NAMES)} {project}-{number}",
        legal_form=rng.choice(LEGAL_FORMS),
        edrpou=f"{rng.randrange(10_000_000, 45_000_000)}",
        region=rng.choice(REGIONS),
        category="Будівництво",
        source="import",
        phones=[PhoneDraft(e164=f"+38067{rng.randrange(1_000_000, 9_999_999)}")],
    )


def desk_event(
    rng: random.Random, bench: BenchProject, manager_ids: list[int], at: datetime | None
) -> NewEvent:
    """One call-desk event with the payload its kind carries in the product."""
    company_id = rng.choice(bench.company_ids)
    actor_id = rng.choice(manager_ids)
    roll = rng.random()
    if roll < 0.45:
        kind = EventKind.ATTEMPT
        payload = {
            "phone": f"+38067{rng.randrange(1_000_000, 9_999_999)}",
            "result": rng.choice(ATTEMPT_RESULTS),
            "cycle": rng.randrange(1, 4),
        }
    elif roll < 0.70:
        kind = EventKind.OUTCOME
        payload = {"outcome": rng.choice(OUTCOMES), "note": rng.choice(NOTES), "phase": 2}
    elif roll < 0.80:
        kind = EventKind.NOTE
        payload = {"note": rng.choice(NOTES)}
    elif roll < 0.88:
        kind = EventKind.CALLBACK_SCHEDULED
        payload = {"on": f"2026-12-{rng.randrange(1, 29):02d}", "note": rng.choice(NOTES)}
    elif roll < 0.95:
        kind = EventKind.CALL
        payload = {
            "direction": "out",
            "duration_s": rng.randrange(5, 600),
            "operator": rng.choice(OPERATORS),
            "recording": rng.random() < 0.5,
        }
    else:
        kind = EventKind.OFFER_SENT
        payload = {"email": f"office{company_id}@example.com.ua", "offer": "КП-2026-Б", "phase": 2}
    return NewEvent(
        kind=kind, payload=payload, company_id=company_id, actor_id=actor_id, occurred_at=at
    )


def desk_batches(
    world: World, *, events: int, batch: int, historical: bool = False
) -> Iterator[tuple[BenchProject, list[NewEvent]]]:
    """`events` desk events in batches of `batch`, each batch for the next project in turn.

    Historical events carry their own times, a few seconds apart, ending now; live ones take
    the time of their transaction.
    """
    rng = random.Random(SEED + 1)
    start = datetime.now(UTC) - timedelta(seconds=3 * events)
    made = 0
    while made < events:
        bench = world.projects[(made // batch) % len(world.projects)]
        size = min(batch, events - made)
        drafts = []
        for i in range(size):
            at = start + timedelta(seconds=3 * (made + i), microseconds=rng.randrange(1_000_000))
            drafts.append(desk_event(rng, bench, world.manager_ids, at if historical else None))
        yield bench, drafts
        made += size


def fill_history(world: World, *, total_events: int, batch: int = 10_000) -> int:
    """Append desk events until the history holds `total_events` events; returns the count."""
    missing = total_events - Event.objects.count()
    for bench, drafts in desk_batches(world, events=max(missing, 0), batch=batch, historical=True):
        with transaction.atomic(durable=True):
            record_events(project=bench.project, drafts=drafts)
    return Event.objects.count()
