"""The writes of an import, made while its rows are still being judged.

A new company is final from its first row (its fields are that row's), so it is written in a
batch as soon as a few thousand have been placed, with the contacts it has by then and its
``company_added`` event, while the worker processes judge the next rows: the import's reading
and its writing overlap, and the plan never holds 100 000 company records. What only the whole
file decides is written at the end (``finish``): contacts that later rows add, merges, issues.
Everything happens inside the caller's one transaction, so an import still writes all or
nothing. Rows are written as plain tuples (``bulk.insert_rows``): an import's companies,
phones and e-mails never exist as model instances.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from itertools import chain, islice
from typing import Any

from zbut.bases.bulk import insert_rows
from zbut.bases.dedup import Group
from zbut.bases.importing import (
    COMPANY_FIELDS,
    SOURCE,
    ImportPlan,
    company_fields,
    message_halves,
)
from zbut.bases.models import (
    BaseImport,
    BaseState,
    Company,
    CompanyEmail,
    CompanyPhone,
    ImportIssue,
    IssueKind,
)
from zbut.bases.packed_fields import unpacked
from zbut.core.db_functions import BackgroundInserts
from zbut.history.models import EventKind
from zbut.history.services import NewEvent, record_events

MATCHED_BY_MESSAGES = {
    "edrpou": "Той самий ЄДРПОУ / same EDRPOU",
    "phone": "Та сама назва і телефон / same name and phone",
    "email": "Та сама назва і e-mail / same name and e-mail",
}
BATCH = 5000  # new companies written at a time
EVENT_CHUNK = 10_000  # events appended at a time at the end
COMPANY_COLUMNS = ("client_id", "project_id", *COMPANY_FIELDS, "base_state")
PHONE_COLUMNS = ("client_id", "company_id", "e164", "extension", "kind", "operator")
EMAIL_COLUMNS = ("client_id", "company_id", "address")
ISSUE_COLUMNS = (
    "client_id", "base_import_id", "row_number", "kind", "company_id", "reason_code",
    "reason_uk", "reason_en", "cells",
)  # fmt: skip
REASON_LENGTH = ImportIssue._meta.get_field("reason_uk").max_length


class ImportWriter:
    """Writes one import: ``add_company`` for each new company as it is placed, then ``finish``.

    Must be used inside one transaction (``insert_rows`` and ``record_events`` refuse
    otherwise).
    """

    def __init__(
        self,
        base_import: BaseImport,
        plan: ImportPlan,
        background: BackgroundInserts | None = None,
    ) -> None:
        self.base_import = base_import
        self.background = background  # a thread that writes the rows (core.db_functions)
        self.project = base_import.project
        self.plan = plan  # its phone_details are filled before a row is placed
        self._pending: list[tuple[Group, Any]] = []
        # id(group) → its company's id, once written.
        self._written: dict[int, int] = {}
        # id(group) → (phones written, e-mails written), for a group merged into before it was
        # written. A group's contacts only grow at the end (``Group``), so what later rows
        # added is what follows the contacts written; for a group not merged into by then,
        # those were its first row's (``Group.identity``), and nothing is kept here: a tuple
        # for each of 100 000 companies was 7 MB of an import's peak.
        self._written_early: dict[int, tuple[int, int]] = {}

    def add_company(self, group: Group, record: Any) -> None:
        """A new company (its ``company_record``): written with the next batch."""
        self._pending.append((group, record))
        if len(self._pending) >= BATCH:
            self._flush()

    def company_id(self, group: Group) -> int:
        return group.company_id or self._written[id(group)]

    def finish(self) -> None:
        """Write what the whole file decided, then the import's counts."""
        self._flush()
        plan = self.plan
        self._add_later_contacts()
        events = self._merge_events()
        while chunk := list(islice(events, EVENT_CHUNK)):  # the written events are not kept
            record_events(
                project=self.project, drafts=chunk, returning=False, background=self.background
            )
        self._insert_issues()
        base_import = self.base_import
        base_import.rows = plan.rows
        base_import.rows_read = plan.rows
        base_import.imported = len(self._written)  # every new company, once written
        base_import.merged = len(plan.merges)
        base_import.rejected = len(plan.rejections)
        base_import.possible_duplicates = len(plan.flags)

    def _flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        project, details = self.project, self.plan.phone_details
        client_id, project_id, state = project.client_id, project.pk, str(BaseState.NEW)
        sources: list[str] = []  # of each company, for its event

        def rows() -> Iterator[tuple]:
            for _group, record in pending:
                fields = company_fields(record)
                sources.append(fields[SOURCE])
                yield (client_id, project_id, *fields, state)

        ids = insert_rows(
            Company,
            COMPANY_COLUMNS,
            rows(),
            count=len(pending),
            returning_ids=True,
            json_encoded=True,
            background=self.background,
        )
        if len(ids) != len(pending):
            raise RuntimeError(f"import: wrote {len(pending)} companies, found {len(ids)}")
        batch = list(zip(pending, ids, strict=True))
        written, early = self._written, self._written_early
        for (group, _record), pk in batch:
            written[id(group)] = pk
            identity = group.identity
            if (
                group.added_phones is not identity.phones
                or group.added_emails is not identity.emails
            ):
                early[id(group)] = (len(group.added_phones), len(group.added_emails))
        contacts = [(pk, group.added_phones, group.added_emails) for (group, _r), pk in batch]
        _insert_contacts(client_id, details, contacts, self.background)
        import_id, actor_id = self.base_import.pk, self.base_import.created_by_id
        record_events(
            project=project,
            drafts=[
                NewEvent(
                    kind=EventKind.COMPANY_ADDED,
                    company_id=pk,
                    actor_id=actor_id,
                    # Its first row: each later row of the company has its companies_merged.
                    payload={"import": import_id, "row": group.first_row, "source": source},
                )
                for ((group, _record), pk), source in zip(batch, sources, strict=True)
            ],
            returning=False,
            background=self.background,
        )

    def _add_later_contacts(self) -> None:
        """Contacts that rows merged in after a company was written, or into an existing one."""
        groups = {id(m.group): m.group for m in self.plan.merges}.values()
        later: list[tuple[int, Collection[str], Collection[str]]] = []
        for group in groups:
            if group.company_id:
                continue
            pk, identity = self._written[id(group)], group.identity
            phones, emails = self._written_early.get(
                id(group), (len(identity.phones), len(identity.emails))
            )
            if len(group.added_phones) > phones or len(group.added_emails) > emails:
                later.append((pk, group.added_phones[phones:], group.added_emails[emails:]))
        _insert_contacts(self.project.client_id, self.plan.phone_details, later, self.background)
        self._add_contacts_to_existing([group for group in groups if group.company_id])

    def _add_contacts_to_existing(self, groups: list[Group]) -> None:
        # Few rows, and the company may have got the same contact meanwhile: conflicts ignored.
        client_id, details = self.project.client_id, self.plan.phone_details
        CompanyPhone.objects.bulk_create(
            [
                CompanyPhone(
                    client_id=client_id,
                    company_id=group.company_id,
                    e164=e164,
                    extension=details[e164][3],
                    kind=details[e164][1],
                    operator=details[e164][2],
                )
                for group in groups
                for e164 in sorted(group.added_phones)
            ],
            ignore_conflicts=True,
        )
        CompanyEmail.objects.bulk_create(
            [
                CompanyEmail(client_id=client_id, company_id=group.company_id, address=address)
                for group in groups
                for address in sorted(group.added_emails)
            ],
            ignore_conflicts=True,
        )

    def _merge_events(self) -> Iterator[NewEvent]:
        base_import = self.base_import
        actor_id, headers, pk = base_import.created_by_id, base_import.headers, base_import.pk
        for merge in self.plan.merges:
            yield NewEvent(
                kind=EventKind.COMPANIES_MERGED,
                company_id=self.company_id(merge.group),
                actor_id=actor_id,
                payload={
                    "import": pk,
                    "row": merge.row_number,
                    "matched_by": merge.matched_by,
                    "source_row": dict(zip(headers, unpacked(merge.cells), strict=False)),
                },
            )

    def _insert_issues(self) -> None:
        """One issue per rejected, merged or flagged row, written as plain rows."""
        plan, client_id, import_id = self.plan, self.project.client_id, self.base_import.pk
        rejected, merged = str(IssueKind.REJECTED), str(IssueKind.MERGED)
        flagged = str(IssueKind.POSSIBLE_DUPLICATE)
        reasons = {code: message_halves(message) for code, message in MATCHED_BY_MESSAGES.items()}
        target = self.company_id

        def issue(row, kind, company_id, code, uk, en, cells):  # one ImportIssue, ISSUE_COLUMNS
            return (client_id, import_id, row, kind, company_id, code,
                    uk[:REASON_LENGTH], en[:REASON_LENGTH], unpacked(cells))  # fmt: skip

        # Made as they are written: the cells of 16 000 rows are not all unpacked at once.
        rows = chain(
            (
                issue(r.row_number, rejected, None, r.code, r.reason_uk, r.reason_en, r.cells)
                for r in plan.rejections
            ),
            (
                issue(m.row_number, merged, target(m.group), m.matched_by,
                      *reasons[m.matched_by], m.cells)
                for m in plan.merges
            ),
            (
                issue(f.row_number, flagged, target(f.other), "same_phone",
                      f"Той самий телефон {f.phone} в іншої компанії",
                      "same phone as another company", f.cells)
                for f in plan.flags
            ),
        )  # fmt: skip
        insert_rows(ImportIssue, ISSUE_COLUMNS, rows, background=self.background)


def _insert_contacts(
    client_id: int,
    details: dict[str, tuple],
    contacts: list[tuple[int, Collection[str], Collection[str]]],
    background: BackgroundInserts | None,
) -> None:
    """Phones and e-mails of new companies, given as ``(company id, phones, e-mails)``."""
    phones = (
        (client_id, pk, e164, (p := details[e164])[3], str(p[1]), p[2])  # ext, kind, operator
        for pk, company_phones, _emails in contacts
        for e164 in sorted(company_phones)
    )
    emails = (
        (client_id, pk, address)
        for pk, _phones, company_emails in contacts
        for address in sorted(company_emails)
    )
    insert_rows(CompanyPhone, PHONE_COLUMNS, phones, background=background)
    insert_rows(CompanyEmail, EMAIL_COLUMNS, emails, background=background)
