"""The emulated portal's CRM: leads, timeline comments, and the REST methods that act on them.

Shapes follow the Bitrix24 REST documentation (github.com/bitrix24/b24restdocs, mirrored at
https://apidocs.bitrix24.com): crm.lead.add/get/list/update, crm.duplicate.findbycomm and
crm.timeline.comment.add (batch is in bitrix24_batch.py). Where the documentation is silent, a
comment says which plausible behaviour was chosen.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


class RestError(Exception):
    """A REST error answer: `{"error": code, "error_description": description}` with a status.

    Method-level validation errors arrive with an empty `error` and the reason in
    `error_description` (b24restdocs error-codes.md: "a request for a deal with a non-existent
    identifier returns status 400 and the body {"error": "", "error_description": "Not found"}").
    """

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(f"{status} {code}: {description}")
        self.status = status
        self.code = code
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.code, "error_description": self.description}


# Default SOURCE_ID and STATUS_ID directories (crm-lead-add.md); a portal may add more, the
# emulator knows only the defaults so that an unknown value is a rejected field.
_SOURCES_WORDS = """
    CALL EMAIL WEB ADVERTISING PARTNER RECOMMENDATION TRADE_SHOW WEBFORM CALLBACK
    RC_GENERATOR STORE OTHER
"""
SOURCES = frozenset(_SOURCES_WORDS.split())
STATUSES = frozenset({"NEW", "IN_PROCESS", "PROCESSED", "JUNK", "CONVERTED"})
MULTI_FIELD_TYPES = {
    "PHONE": frozenset({"WORK", "MOBILE", "FAX", "HOME", "PAGER", "MAILING", "OTHER"}),
    "EMAIL": frozenset({"WORK", "HOME", "MAILING", "OTHER"}),
    "WEB": frozenset({"WORK", "HOME", "FACEBOOK", "VK", "LIVEJOURNAL", "TWITTER", "OTHER"}),
    "IM": frozenset({"SKYPE", "ICQ", "MSN", "JABBER", "TELEGRAM", "VIBER", "IMOL", "OTHER"}),
}
_SCALAR_FIELDS_WORDS = """
    TITLE HONORIFIC NAME SECOND_NAME LAST_NAME COMPANY_TITLE COMPANY_ID CONTACT_ID
    SOURCE_ID SOURCE_DESCRIPTION STATUS_ID STATUS_DESCRIPTION POST COMMENTS CURRENCY_ID
    OPPORTUNITY OPENED ASSIGNED_BY_ID ORIGINATOR_ID ORIGIN_ID ADDRESS ADDRESS_2
    ADDRESS_CITY ADDRESS_POSTAL_CODE ADDRESS_REGION ADDRESS_PROVINCE ADDRESS_COUNTRY
    ADDRESS_COUNTRY_CODE UTM_SOURCE UTM_MEDIUM UTM_CAMPAIGN UTM_CONTENT UTM_TERM
    BIRTHDATE
"""
SCALAR_FIELDS = frozenset(_SCALAR_FIELDS_WORDS.split())
PAGE_SIZE = 50  # list methods always answer 50 records a page (crm-lead-list.md)
MAX_COMM_VALUES = 20  # crm-duplicate-find-by-comm.md: "Maximum number of values — 20"


def time_block(started: float) -> dict[str, Any]:
    """The `time` object every answer carries (data-types.md#time)."""
    finished = time.time()
    return {
        "start": started,
        "finish": finished,
        "duration": finished - started,
        "processing": finished - started,
        "date_start": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
        "date_finish": datetime.fromtimestamp(finished, UTC).isoformat(timespec="seconds"),
        "operating_reset_at": int(finished) + 600,
        "operating": 0,
    }


@dataclass
class TimelineComment:
    id: int
    text: str
    author_id: str | None


@dataclass
class Lead:
    """A stored lead: scalar fields as strings (the portal answers strings), multi-fields apart."""

    id: int
    fields: dict[str, str]
    multi: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    comments: list[TimelineComment] = field(default_factory=list)
    created_at: str = ""
    # When the portal stored it (time.time(), to the microsecond): DATE_CREATE has seconds only,
    # and bench/handoff.py measures from a commit in another process to this moment.
    stored_at: float = field(default_factory=time.time)

    def values(self, kind: str) -> list[str]:
        return [item["VALUE"] for item in self.multi.get(kind, [])]

    def to_rest(self, select: list[str] | None = None) -> dict[str, Any]:
        everything = not select or "*" in select
        answer: dict[str, Any] = {"ID": str(self.id)}
        for name in sorted(SCALAR_FIELDS):
            if everything or name in select:
                answer[name] = self.fields.get(name)
        computed = {
            "DATE_CREATE": self.created_at,
            "HAS_PHONE": "Y" if self.multi.get("PHONE") else "N",
            "HAS_EMAIL": "Y" if self.multi.get("EMAIL") else "N",
        }
        answer.update({k: v for k, v in computed.items() if everything or k in select})
        # Multi-fields only when named: "There are no masks for selecting multiple fields"
        # (crm-lead-list.md); crm.lead.get (select None) returns them all.
        for kind, items in self.multi.items():
            if select is None or kind in select:
                answer[kind] = [dict(item) for item in items]
        return answer


@dataclass
class MethodAnswer:
    result: Any
    total: int | None = None
    next: int | None = None


def _digits(phone: str) -> str:
    # findbycomm ignores formatting and the extension ("The search does not consider the phone
    # extension"); the exact normalisation is undocumented, digits without a `+` are a fair guess.
    return re.sub(r"\D", "", phone.split(";")[0].split(",")[0])


class Crm:
    """Leads of one portal and the REST methods over them; thread-safe for test-side reads."""

    def __init__(self) -> None:
        self.leads: dict[int, Lead] = {}
        self._lock = threading.Lock()
        self._ids = {"lead": 0, "multi": 0, "comment": 0}
        self.methods: dict[str, Callable[[dict[str, Any]], MethodAnswer]] = {
            "crm.lead.add": self.lead_add,
            "crm.lead.get": self.lead_get,
            "crm.lead.list": self.lead_list,
            "crm.lead.update": self.lead_update,
            "crm.duplicate.findbycomm": self.duplicate_findbycomm,
            "crm.timeline.comment.add": self.timeline_comment_add,
        }

    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    def call(self, method: str, params: dict[str, Any]) -> MethodAnswer:
        handler = self.methods.get(method)
        if handler is None:
            raise RestError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")
        with self._lock:
            return handler(params)

    # crm.lead.*

    def lead_add(self, params: dict[str, Any]) -> MethodAnswer:
        scalars, multi = _validate_fields(params.get("fields"))
        lead = Lead(id=self._next("lead"), fields=scalars, created_at=_now())
        lead.fields.setdefault("STATUS_ID", "NEW")
        lead.fields.setdefault("TITLE", f"Lead #{lead.id}")  # undocumented default, plausible
        self._store_multi(lead, multi)
        self.leads[lead.id] = lead
        return MethodAnswer(lead.id)

    def lead_get(self, params: dict[str, Any]) -> MethodAnswer:
        return MethodAnswer(self._lead(params).to_rest())

    def lead_update(self, params: dict[str, Any]) -> MethodAnswer:
        lead = self._lead(params)
        scalars, multi = _validate_fields(params.get("fields"))
        lead.fields.update(scalars)
        # Updating a multi-field appends values (an item with an ID would edit it); appending is
        # all the hand-off needs.
        self._store_multi(lead, multi)
        return MethodAnswer(True)

    def lead_list(self, params: dict[str, Any]) -> MethodAnswer:
        flt = params.get("filter") or {}
        if not isinstance(flt, dict):
            raise RestError(400, "", "Parameter 'filter' must be an object")
        select = params.get("select") or ["*"]
        select = [select] if isinstance(select, str) else list(select)
        found = [lead for lead in self.leads.values() if _matches(lead, flt)]
        order = params.get("order") or {}
        reverse = isinstance(order, dict) and str(order.get("ID", "ASC")).upper() == "DESC"
        found.sort(key=lambda lead: lead.id, reverse=reverse)
        start = int(params.get("start") or 0)
        page = found[start : start + PAGE_SIZE]
        more = start + PAGE_SIZE < len(found)
        return MethodAnswer(
            [lead.to_rest(select) for lead in page],
            total=len(found),
            next=start + PAGE_SIZE if more else None,
        )

    def _lead(self, params: dict[str, Any]) -> Lead:
        raw = params.get("id", params.get("ID"))
        if not str(raw or "").isdigit() or int(raw) <= 0:
            raise RestError(400, "", "ID is not defined or invalid")
        lead = self.leads.get(int(raw))
        if lead is None:
            raise RestError(400, "", "Not found")
        return lead

    def _store_multi(self, lead: Lead, multi: dict[str, list[dict[str, str]]]) -> None:
        for kind, items in multi.items():
            for item in items:
                stored = {"ID": str(self._next("multi")), "TYPE_ID": kind, **item}
                lead.multi.setdefault(kind, []).append(stored)

    # crm.duplicate.findbycomm, crm.timeline.comment.add

    def duplicate_findbycomm(self, params: dict[str, Any]) -> MethodAnswer:
        kind = str(params.get("type") or "").upper()
        if not kind:
            raise RestError(400, "", "Communication type is not defined")
        if kind not in ("PHONE", "EMAIL"):
            raise RestError(
                400, "", f"Communication type '{kind}' is not supported in current context"
            )
        values = params.get("values")
        values = [values] if isinstance(values, str) else values
        if not values or not isinstance(values, list):
            raise RestError(400, "", "Communication values is not defined")
        if len(values) > MAX_COMM_VALUES:
            # The limit is documented, the answer to breaking it is not: a 400 is plausible.
            raise RestError(400, "", f"Too many communication values (max {MAX_COMM_VALUES})")
        entity_type = str(params.get("entity_type") or "").upper()
        if entity_type not in ("", "LEAD"):
            return MethodAnswer([])  # no contacts or companies are stored
        key = _digits if kind == "PHONE" else str.lower
        wanted = {key(str(value)) for value in values} - {""}
        ids = [
            lead.id for lead in self.leads.values() if wanted & {key(v) for v in lead.values(kind)}
        ]
        # PHP answers an empty array `[]`, not `{}`, when nothing matched.
        return MethodAnswer({"LEAD": sorted(ids)} if ids else [])

    def timeline_comment_add(self, params: dict[str, Any]) -> MethodAnswer:
        fields = params.get("fields")  # only lowercase `fields` since crm 23.100.0
        if (
            not isinstance(fields, dict)
            or not fields.get("ENTITY_ID")
            or not fields.get("ENTITY_TYPE")
        ):
            raise RestError(400, "100", "Required fields not provided")
        if not str(fields.get("COMMENT") or "").strip():
            raise RestError(400, "INVALID_ARG_VALUE", "Empty comment")
        if str(fields["ENTITY_TYPE"]).lower() != "lead":
            raise RestError(400, "OWNER_NOT_FOUND", "Owner of the element not found")
        lead = (
            self.leads.get(int(fields["ENTITY_ID"])) if str(fields["ENTITY_ID"]).isdigit() else None
        )
        if lead is None:
            raise RestError(400, "NOT_FOUND", "Not found.")
        author = fields.get("AUTHOR_ID")
        comment = TimelineComment(
            self._next("comment"), str(fields["COMMENT"]), author and str(author)
        )
        lead.comments.append(comment)
        return MethodAnswer(comment.id)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _matches(lead: Lead, flt: dict[str, Any]) -> bool:
    """Equality (`FIELD`, `=FIELD`), inequality (`!FIELD`, `!=FIELD`) and IN (`@FIELD`)."""
    rest = {"ID": str(lead.id), **lead.fields}
    for raw_key, expected in flt.items():
        key = raw_key.lstrip("=!@")
        op = raw_key[: len(raw_key) - len(key)]
        if key in MULTI_FIELD_TYPES:
            actual_values = lead.values(key)
            hit = str(expected) in actual_values
        else:
            actual = rest.get(key)
            options = expected if isinstance(expected, list) else [expected]
            hit = actual is not None and actual in {str(option) for option in options}
        if hit == op.startswith("!"):
            return False
    return True


def _validate_fields(fields: Any) -> tuple[dict[str, str], dict[str, list[dict[str, str]]]]:
    """Validate `fields` the way a portal rejects them: a 400 naming the field.

    Unknown field names are silently ignored, as the real REST does with keys it does not know.
    """
    if not isinstance(fields, dict) or not fields:
        raise RestError(400, "", "Parameter 'fields' is not defined or is not an object")
    scalars: dict[str, str] = {}
    multi: dict[str, list[dict[str, str]]] = {}
    for name, value in fields.items():
        if name in MULTI_FIELD_TYPES:
            multi[name] = _validate_multi(name, value)
        elif name in SCALAR_FIELDS:
            scalars[name] = "" if value is None else str(value)
    if "SOURCE_ID" in scalars and scalars["SOURCE_ID"] not in SOURCES:
        raise RestError(400, "", f"Field 'SOURCE_ID': unknown value '{scalars['SOURCE_ID']}'")
    if "STATUS_ID" in scalars and scalars["STATUS_ID"] not in STATUSES:
        raise RestError(400, "", f"Field 'STATUS_ID': unknown value '{scalars['STATUS_ID']}'")
    if scalars.get("OPENED", "Y") not in ("Y", "N"):
        raise RestError(400, "", "Field 'OPENED' must be 'Y' or 'N'")
    for name in ("ASSIGNED_BY_ID", "COMPANY_ID", "CONTACT_ID"):
        if name in scalars and not scalars[name].isdigit():
            raise RestError(400, "", f"Field '{name}' must be an integer identifier")
    return scalars, multi


def _validate_multi(name: str, value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise RestError(400, "", f"Field '{name}' must be a list of {{VALUE, VALUE_TYPE}} items")
    items = []
    for item in value:
        if not isinstance(item, dict) or not str(item.get("VALUE") or "").strip():
            raise RestError(400, "", f"Field '{name}': every item needs a non-empty VALUE")
        value_type = str(item.get("VALUE_TYPE") or "WORK")
        if value_type not in MULTI_FIELD_TYPES[name]:
            raise RestError(400, "", f"Field '{name}': unknown VALUE_TYPE '{value_type}'")
        if name == "EMAIL" and "@" not in str(item["VALUE"]):
            raise RestError(400, "", f"Field 'EMAIL': invalid e-mail '{item['VALUE']}'")
        items.append({"VALUE": str(item["VALUE"]), "VALUE_TYPE": value_type})
    return items
