"""The final export: nine columns, UTF-8 with BOM, `;`, the history oldest first, no formulas."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from django.core.management import call_command
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from zbut.bases.models import PhoneKind
from zbut.bases.services import CompanyDraft, PhoneDraft, add_companies
from zbut.core.csv_safety import FORMULA_TRIGGERS, neutralise_cell
from zbut.history.models import EventKind
from zbut.history.services import NewEvent, record_events
from zbut.reports.exports import write_export_csv

KYIV_MORNING = datetime.fromisoformat("2026-11-20T10:15:00+02:00")


def _company(world, **overrides):
    draft = CompanyDraft(
        name="«Агро-Світ»",
        legal_form="ТОВ",
        category="Агрохолдинги",
        address="м. Київ, вул. Хрещатик, 1",
        contact_person="Петренко Олег",
        phones=[
            PhoneDraft("+380672945123", PhoneKind.MOBILE, "Київстар"),
            PhoneDraft("+380441234567", PhoneKind.LANDLINE, extension="12"),
        ],
        emails=["info@agro.ua"],
    )
    for key, value in overrides.items():
        object.__setattr__(draft, key, value)
    return add_companies(project=world.project_a, drafts=[draft], actor=world.coordinator)[0]


def _export(world) -> list[list[str]]:
    buffer = io.StringIO()
    write_export_csv(project=world.project_a, out=buffer)
    text = buffer.getvalue()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_export_has_the_nine_columns_of_the_seeds(world):
    _company(world)
    header, row = _export(world)
    assert header == [
        "Тип клієнта",
        "Дата/час",
        "Клієнтська історія",
        "Назва компанії",
        "Категорія",
        "Адреса",
        "Актуальний телефон",
        "Контактна особа (ОПР)",
        "E-mail",
    ]
    assert row[3] == "ТОВ «Агро-Світ»"
    assert row[6] == "+380672945123, +380441234567 доб. 12"
    assert row[8] == "info@agro.ua"


def test_history_is_listed_oldest_first_with_the_contact_summary(world):
    company = _company(world)
    company.outcome, company.contact_count, company.last_contact_at = "callback", 2, KYIV_MORNING
    company.save()
    with transaction.atomic():
        record_events(
            project=world.project_a,
            drafts=[
                NewEvent(
                    EventKind.ATTEMPT,
                    {"result": "no_answer", "note": ""},
                    company.pk,
                    world.manager.pk,
                    datetime.fromisoformat("2026-11-19T09:00:00+02:00"),
                ),
                NewEvent(
                    EventKind.OUTCOME,
                    {"outcome": "callback", "note": "Після 15-го"},
                    company.pk,
                    world.manager.pk,
                    KYIV_MORNING,
                ),
            ],
        )
    row = _export(world)[1]
    assert row[0] == "Гіпотетично зацікавлений (передзвін)"
    assert row[1] == "2026-11-20 10:15"
    assert row[2].splitlines() == [
        "2026-11-19 09:00 manager@agency.ua — Не відповідає",
        "2026-11-20 10:15 manager@agency.ua — Результат: Гіпотетично зацікавлений (передзвін). "
        "Після 15-го",
        "КОНТАКТУВАЛИ 2026-11-20 - КІЛЬКІСТЬ КОНТАКТУВАНЬ: 2",
    ]


def test_a_formula_in_a_company_field_is_neutralised(world):
    _company(world, contact_person='=HYPERLINK("http://evil","x")', category="@SUM(A1)")
    row = _export(world)[1]
    assert row[7] == '\'=HYPERLINK("http://evil","x")'
    assert row[4] == "'@SUM(A1)"


def test_phone_lists_stay_readable():
    assert neutralise_cell("+380672945123, +380441234567") == "+380672945123, +380441234567"


@given(st.text(min_size=1))
def test_no_cell_that_could_run_as_a_formula_leaves_unneutralised(text):
    cell = neutralise_cell(text)
    if cell.startswith(FORMULA_TRIGGERS):
        assert all(ch in "0123456789+-()/., ;\t\r" for ch in cell.replace("доб", ""))


def test_export_base_command_writes_the_file(world, tmp_path):
    _company(world)
    out = tmp_path / "base.csv"
    call_command("export_base", "a-system", "--out", str(out))
    content = out.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    assert "ТОВ «Агро-Світ»".encode() in content


def test_the_exports_fast_history_lines_equal_history_line():
    from datetime import UTC, datetime

    from zbut.bases.history_lines import history_line
    from zbut.bases.outcomes import AttemptResult, Outcome
    from zbut.history.models import EventKind
    from zbut.reports.exports import _HistoryLines

    lines = _HistoryLines()
    at = datetime(2026, 3, 23, 8, 5, tzinfo=UTC)
    payloads = [{}, {"note": "Просили після 15-го"}, {"note": " x "}, {"note": None}]
    payloads += [{"outcome": o, "note": "n"} for o in Outcome] + [{"outcome": "zzz"}]
    payloads += [{"outcome": "callback", "callback_on": "2026-04-01", "note": "n"}]
    payloads += [{"result": r} for r in AttemptResult] + [{"result": "zzz"}, {"result": 5}]
    for kind in EventKind:
        for payload in payloads:
            for name in ("", "Андрій"):
                expected = history_line(occurred_at=at, actor_name=name, kind=kind,
                                        payload=payload)  # fmt: skip
                assert lines.line(occurred_at=at, actor_name=name, kind=kind,
                                  payload=payload) == expected  # fmt: skip


def test_the_exports_lines_from_database_text_equal_history_line():
    """The export reads timestamps as the database's text and payloads as JSON text."""
    import json
    from datetime import UTC, datetime

    from zbut.bases.history_lines import history_line
    from zbut.reports.exports import _HistoryLines

    # Summer and winter time in Kyiv, a minute before and after midnight, with seconds.
    moments = [datetime(2026, 7, 1, 20, 59, 59, tzinfo=UTC), datetime(2026, 1, 1, 22, 0, 1,
               123456, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]  # fmt: skip
    payloads = [{"result": "busy", "note": ""}, {"outcome": "warm", "note": "Вивчають КП"}]
    for at in moments:
        naive_text = at.replace(tzinfo=None).isoformat(" ")  # SQLite
        offset_text = at.isoformat(" ").replace("+00:00", "+00")  # PostgreSQL
        for text in (naive_text, offset_text):
            lines = _HistoryLines()  # each text parsed, not found in the other's cache
            lines.actors[7] = "Андрій"
            for kind, payload in zip(("attempt", "outcome"), payloads, strict=True):
                expected = history_line(occurred_at=at, actor_name="Андрій", kind=kind,
                                        payload=payload)  # fmt: skip
                anonymous = history_line(occurred_at=at, actor_name="", kind=kind,
                                         payload=payload)  # fmt: skip
                rows = [(1, text, 7, kind, json.dumps(payload)), (2, text, 7, kind, "{}"),
                        (3, text, None, kind, json.dumps(payload))]  # fmt: skip
                found = lines.lines_by_company(rows, wanted={1, 3})
                assert found == {1: [expected], 3: [anonymous]}


def test_a_filtered_export_holds_only_the_chosen_companies_and_their_histories(world):
    from zbut.bases.models import Company

    companies = [_company(world, name=f"Компанія {n}") for n in range(3)]
    at = KYIV_MORNING
    with transaction.atomic():
        record_events(
            project=world.project_a,
            drafts=[
                NewEvent(EventKind.NOTE, {"note": f"Нотатка {n}"}, c.pk, world.manager.pk, at)
                for n, c in enumerate(companies)
            ],
        )
    chosen = Company.objects.filter(pk__in=[companies[0].pk, companies[2].pk])
    buffer = io.StringIO()
    assert write_export_csv(project=world.project_a, out=buffer, companies=chosen) == 2
    rows = list(csv.reader(io.StringIO(buffer.getvalue()[1:]), delimiter=";"))[1:]
    assert [(row[3], row[2].split(" — ")[-1]) for row in rows] == [
        ("ТОВ Компанія 0", "Нотатка. Нотатка 0"),
        ("ТОВ Компанія 2", "Нотатка. Нотатка 2"),
    ]
