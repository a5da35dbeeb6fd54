"""The final export of a project's base (PRODUCT.md): CSV, UTF-8 with BOM, `;`, nine columns.

Companies, their phones and e-mails and their client history are read in one ordered pass
each and merged by company id, so 100 000 companies stream without one query per row.

A whole base holds about ten events per company, so the history is the bulk of the work: its
rows are read with a plain cursor (no model instances, no per-row converters), and everything
that repeats is worked out once per export rather than once per event — labels and messages
(translations), actors' names, the local minute of a timestamp, the description of a payload.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

from django.db import connection
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from zbut.accounts.models import User
from zbut.bases.history_lines import CLIENT_HISTORY_KINDS
from zbut.bases.models import Company, CompanyEmail, CompanyPhone
from zbut.bases.outcomes import AttemptResult, Outcome
from zbut.core.csv_safety import neutralise_cell
from zbut.history.models import Event, EventKind
from zbut.projects.models import Project

CHUNK = 2000
# Per-export caches are dropped when they grow past this, so memory stays bounded whatever
# the base (a cache miss costs microseconds, never a different result).
CACHE_LIMIT = 200_000


def export_header() -> list[str]:
    return [
        _("Тип клієнта"),
        _("Дата/час"),
        _("Клієнтська історія"),
        _("Назва компанії"),
        _("Категорія"),
        _("Адреса"),
        _("Актуальний телефон"),
        _("Контактна особа (ОПР)"),
        _("E-mail"),
    ]


def export_rows(companies: QuerySet[Company]) -> Iterator[list[str]]:
    """The nine cells of each company, in id order, unsafe cells neutralised."""
    for chunk in export_chunks(companies):
        yield from chunk


def export_chunks(companies: QuerySet[Company]) -> Iterator[list[list[str]]]:
    """``export_rows`` a chunk of companies at a time (for ``csv.writer.writerows``)."""
    lines = _HistoryLines()
    outcome_labels = {o.value: str(o.label) for o in Outcome}
    rows = (
        companies.order_by("id")
        .annotate(last_at_text=Cast("last_contact_at", CharField()))
        .values_list(
            "id",
            "outcome",
            "last_at_text",
            "contact_count",
            "legal_form",
            "name",
            "category",
            "address",
            "contact_person",
        )
    )
    for chunk in _chunks(rows.iterator(chunk_size=CHUNK)):
        ids = [row[0] for row in chunk]
        phones, emails, history = _phones(ids), _emails(ids), _history(ids, lines)
        cells_of_chunk = []
        for cid, outcome, last_at, count, form, name, category, address, person in chunk:
            history_lines = history.get(cid, [])
            if last_at is not None:
                moment, day = lines.local_minute(last_at)
                history_lines.append(lines.summary % {"day": day, "count": count})
            else:
                moment = ""
            cells = [
                outcome_labels.get(outcome, outcome) if outcome else "",
                moment,
                "\n".join(history_lines),
                f"{form} {name}".strip(),
                category,
                address,
                ", ".join(phones.get(cid, ())),
                person,
                ", ".join(emails.get(cid, ())),
            ]
            cells_of_chunk.append([neutralise_cell(cell) for cell in cells])
        yield cells_of_chunk


def write_export_csv(
    *,
    project: Project,
    out: IO[str],
    companies: QuerySet[Company] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the final export of the project's base (or of a filtered view) and count rows.

    ``progress`` is told the rows written so far after every chunk (an export job's bar).
    """
    if companies is None:
        companies = Company.objects.filter(project=project)
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(export_header())
    count = 0
    for chunk in export_chunks(companies.filter(project=project)):
        writer.writerows(chunk)
        count += len(chunk)
        if progress is not None:
            progress(count)
    return count


def _chunks(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _of_companies(ids: list[int]) -> Q:
    """Rows of the companies ``ids`` (sorted), and maybe of a few others between them.

    A base is imported in one go, so a chunk's ids are nearly contiguous: a range is two
    parameters where ``IN`` would be 2 000, each prepared by the ORM and the driver (a third of
    the export's time). Rows of companies outside the chunk are never looked up. Sparse ids (a
    filtered view) keep ``IN``, so the range never reads more than about twice what is needed.
    """
    if ids[-1] - ids[0] < 2 * len(ids):
        return Q(company_id__gte=ids[0], company_id__lte=ids[-1])
    return Q(company_id__in=ids)


def _phones(ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    rows = CompanyPhone.objects.filter(_of_companies(ids), is_bad=False).order_by("id")
    for company_id, e164, extension in rows.values_list("company_id", "e164", "extension"):
        found[company_id].append(f"{e164} доб. {extension}" if extension else e164)
    return found


def _emails(ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    rows = CompanyEmail.objects.filter(_of_companies(ids)).order_by("id")
    for company_id, address in rows.values_list("company_id", "address"):
        found[company_id].append(address)
    return found


def _history(ids: list[int], lines: _HistoryLines) -> dict[int, list[str]]:
    """The companies' client-history lines, oldest first, from one query.

    The query is the ORM's, run on a plain cursor: the timestamp comes as the database's text
    (cast by the ORM, so the same SQL works on SQLite and PostgreSQL) and the payload as its
    JSON text; both are decoded by ``_HistoryLines`` through its caches.
    """
    events = (
        Event.objects.filter(_of_companies(ids), kind__in=CLIENT_HISTORY_KINDS)
        .order_by("company_id", "occurred_at", "seq")
        .annotate(at_text=Cast("occurred_at", CharField()))
        .values_list("company_id", "at_text", "actor_id", "kind", "payload")
    )
    sql, params = events.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    lines.learn_actors({row[2] for row in rows})
    return lines.lines_by_company(rows, wanted=set(ids))


class _HistoryLines:
    """``history_line`` with its labels, time zone, actors and descriptions worked out once.

    Translating the labels and converting the time per event cost ~60 µs each: a minute for a
    base with 1 000 000 events. The output is the same (tests/reports/test_exports.py compares).
    """

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()
        self.labels = {
            "outcome": {o.value: str(o.label) for o in Outcome},
            "result": {r.value: str(r.label) for r in AttemptResult},
            "kind": {k.value: str(k.label) for k in EventKind},
        }
        self.outcome_head = _("Результат: %(outcome)s")
        self.callback = _("передзвонити %(date)s")
        self.summary = _("КОНТАКТУВАЛИ %(day)s - КІЛЬКІСТЬ КОНТАКТУВАНЬ: %(count)s")
        self.actors: dict[int | None, str] = {None: ""}
        # A local minute per UTC minute: a base has far fewer distinct minutes than events.
        self.minutes: dict[str, tuple[str, str]] = {}
        # Call attempts repeat the same few payloads ({"result": "no_answer", …}).
        self.descriptions: dict[tuple[str, str], str] = {}

    def line(self, *, occurred_at: datetime, actor_name: str, kind: str, payload: Any) -> str:
        payload = payload if isinstance(payload, dict) else {}
        moment = occurred_at.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")
        who = f" {actor_name}" if actor_name else ""
        return f"{moment}{who} — {self.describe(kind, payload)}"

    def lines_by_company(
        self, rows: Iterable[tuple[int, str, int | None, str, Any]], *, wanted: set[int]
    ) -> dict[int, list[str]]:
        """``line`` of each row as the database gives it (see ``_history``), by company.

        Rows of companies not ``wanted`` are skipped. The hot loop of the export (a million
        rows for a whole base), so the caches are read inline.
        """
        minutes, descriptions, actors = self.minutes, self.descriptions, self.actors
        found: dict[int, list[str]] = {}
        for company_id, at_text, actor_id, kind, payload in rows:
            if company_id not in wanted:
                continue
            moment = minutes.get(at_text[:16]) or self.local_minute(at_text)
            text = (
                descriptions.get((kind, payload)) if isinstance(payload, str) else None
            ) or self.raw_description(kind, payload)
            name = actors.get(actor_id, "")
            line = f"{moment[0]} {name} — {text}" if name else f"{moment[0]} — {text}"
            if company_id in found:
                found[company_id].append(line)
            else:
                found[company_id] = [line]
        return found

    def learn_actors(self, actor_ids: Iterable[int | None]) -> None:
        """Fetch the names of actors not seen yet (one query; names as the history shows them)."""
        missing = [pk for pk in actor_ids if pk not in self.actors]
        if not missing:
            return
        for pk, name, email in User.objects.filter(pk__in=missing).values_list(
            "pk", "full_name", "email"
        ):
            self.actors[pk] = name or email or ""

    def local_minute(self, at_text: str) -> tuple[str, str]:
        """("YYYY-MM-DD HH:MM", "YYYY-MM-DD") in local time of a timestamp cast to text.

        Seconds never change the local minute (time zones are offset by whole minutes), so
        the cache is keyed by the UTC minute.
        """
        key = at_text[:16]
        found = self.minutes.get(key)
        if found is None:
            moment = datetime.fromisoformat(at_text)
            if moment.tzinfo is None:  # SQLite keeps UTC without an offset
                moment = moment.replace(tzinfo=UTC)
            local = moment.astimezone(self.tz)
            found = (local.strftime("%Y-%m-%d %H:%M"), local.date().isoformat())
            if len(self.minutes) >= CACHE_LIMIT:
                self.minutes.clear()
            self.minutes[key] = found
        return found

    def raw_description(self, kind: str, payload: Any) -> str:
        if not isinstance(payload, str):  # a driver that decodes JSON itself
            return self.describe(kind, payload if isinstance(payload, dict) else {})
        key = (kind, payload)
        found = self.descriptions.get(key)
        if found is None:
            decoded = json.loads(payload)
            found = self.describe(kind, decoded if isinstance(decoded, dict) else {})
            if len(self.descriptions) >= CACHE_LIMIT:
                self.descriptions.clear()
            self.descriptions[key] = found
        return found

    def describe(self, kind: str, payload: dict[str, Any]) -> str:
        note = str(payload.get("note") or "").strip()
        if kind == EventKind.OUTCOME:
            outcome = self._label("outcome", payload.get("outcome"))
            head = self.outcome_head % {"outcome": outcome}
            if payload.get("callback_on"):
                head += " · " + self.callback % {"date": payload["callback_on"]}
        elif kind == EventKind.ATTEMPT:
            head = self._label("result", payload.get("result"))
        else:
            head = self._label("kind", kind)
        return f"{head}. {note}" if note and note != head else head

    def _label(self, group: str, value: Any) -> str:
        found = self.labels[group].get(value) if isinstance(value, str) else None
        return found if found is not None else (value or "")
