"""Bitrix24 REST client for the hand-off: one HTTP call per call, errors sorted for the outbox.

Why our own small client on httpx and not fast-bitrix24 (github.com/leshchenko1979/fast_bitrix24):
it is async-first on aiohttp (its sync `Bitrix` wraps every coroutine in an event loop, and hands
back a Task when a loop is already running), and its `ServerRequestHandler` retries on its own —
up to 10 times (`MAX_RETRIES`) on HTTP 5xx, connection errors, payload errors and timeouts, with
its own throttling and backoff (fast_bitrix24/srh.py). For us that hides exactly the case that
duplicates leads: a `crm.lead.add` whose answer was lost is silently sent again. The outbox owns
retries, backoff, rate limits and idempotency (look the lead up by ORIGIN_ID before adding it
again), so the client must make one attempt and say precisely how it failed:
`Bitrix24Retryable` (throttled, 5xx, timeout, dropped connection, a proxy's garbage) or
`Bitrix24Fatal` (invalid webhook, unknown method, rejected field: a dead message whose Bitrix24
text the coordinator reads).

Wire format (Bitrix24 REST docs, github.com/bitrix24/b24restdocs): POST a JSON body to
`https://<portal>/rest/<user_id>/<token>/<method>.json`; success is `{"result": …, "time": …}`,
failure `{"error": code, "error_description": text}` — the code may be empty for a method's own
validation errors (error-codes.md). The webhook token is a password: it never appears in an
exception, a repr or a log line, including httpx's own request log.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from django.db import models
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

ORIGINATOR_ID = "zbut"
MAX_BATCH_COMMANDS = 50  # batch.md: "The number of requests in a batch is limited to 50"
MAX_COMM_VALUES = 20  # crm-duplicate-find-by-comm.md: "Maximum number of values — 20"

# Retrying these helps (error-codes.md, "Reacting to System Codes"): the limiter, the portal's
# own hiccups and the per-method time limit all lift by themselves.
_RETRY = "QUERY_LIMIT_EXCEEDED INTERNAL_SERVER_ERROR ERROR_UNEXPECTED_ANSWER OPERATION_TIME_LIMIT"
RETRYABLE_CODES = frozenset(_RETRY.split())
# "Do not retry the call, and contact technical support: the block is manual" — even on a 5xx.
NEVER_RETRY_CODES = frozenset({"OVERLOAD_LIMIT"})

_METHOD = re.compile(r"^[a-z0-9_.]+$")
_BATCH_KEY = re.compile(r"^[A-Za-z0-9_]+$")
_WEBHOOK_TOKEN = re.compile(r"(/rest/\d+/)[^/\s]+")


class LeadSource(models.TextChoices):
    """SOURCE_ID values we send (default directory of crm-lead-add.md).

    OTHER by default: the default label of PARTNER is "Existing client", which is wrong for a lead
    the agency found; a client whose portal calls its agency PARTNER gets it by mapping.
    """

    PARTNER = "PARTNER", _("Партнер")
    OTHER = "OTHER", _("Інше")


class Bitrix24Error(Exception):
    """A failed call: Bitrix24's `error` code, its `error_description`, and the HTTP status."""

    def __init__(self, code: str, description: str, status: int | None = None) -> None:
        # All three in `args`, so the exception pickles (task results, multiprocessing).
        super().__init__(code, description, status)
        self.code = code
        self.description = description
        self.status = status

    def __str__(self) -> str:
        status = f"HTTP {self.status}" if self.status is not None else "no HTTP answer"
        return f"Bitrix24 {self.code or 'error'} ({status}): {self.description}"


class Bitrix24Retryable(Bitrix24Error):
    """Try again later: throttled, 5xx, timeout, dropped connection, a proxy's non-JSON answer."""


class Bitrix24Fatal(Bitrix24Error):
    """Retrying gives the same answer: bad webhook, unknown method, rejected field, other 4xx."""


def classify(code: str, description: str, status: int | None) -> Bitrix24Error:
    """Turn a Bitrix24 error answer into the exception the outbox acts on."""
    retryable = code not in NEVER_RETRY_CODES and (
        code in RETRYABLE_CODES or (status is not None and (status >= 500 or status in (408, 429)))
    )
    cls = Bitrix24Retryable if retryable else Bitrix24Fatal
    return cls(code, description, status)


@dataclass
class BatchResult:
    """A batch answer: results and errors by command key; with `halt`, later keys are in neither."""

    results: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Bitrix24Error] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    nexts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class Bitrix24Client:
    """One portal's incoming webhook; `transport` lets a test or a proxy set swap the HTTP layer."""

    def __init__(
        self, webhook_url: str, timeout: float = 10.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._base = webhook_url.rstrip("/") + "/"
        self._token = _webhook_token(self._base)
        self.portal = redact(self._base)
        self._http = httpx.Client(timeout=timeout, transport=transport)

    def __repr__(self) -> str:
        return f"Bitrix24Client({self.portal!r})"

    def __enter__(self) -> Bitrix24Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # transport

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> Any:
        """Call one REST method once and return its `result`; raise a `Bitrix24Error` subclass."""
        return self._post(method, params or {})["result"]

    def batch(
        self, commands: Mapping[str, tuple[str, Mapping[str, Any]]], halt: bool = False
    ) -> BatchResult:
        """Run up to 50 commands in one request (one unit of the rate limit).

        A command's params may refer to an earlier one's answer as `"$result[key]"` or
        `"$result[key][FIELD]"`. Sub-command errors come back in `BatchResult.errors`, already
        sorted into Retryable/Fatal; only the batch request itself raises.
        """
        if not 0 < len(commands) <= MAX_BATCH_COMMANDS:
            raise ValueError(
                f"a batch takes 1 to {MAX_BATCH_COMMANDS} commands, not {len(commands)}"
            )
        cmd = {}
        for key, (method, params) in commands.items():
            if not _BATCH_KEY.match(key):
                raise ValueError(f"batch key {key!r} must be letters, digits or _")
            cmd[key] = f"{_checked(method)}?{php_query(params)}"
        answer = self._post("batch", {"halt": 1 if halt else 0, "cmd": cmd})["result"]
        return _batch_result(answer)

    def _post(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        method = _checked(method)
        started = time.monotonic()
        try:
            response = self._http.post(f"{self._base}{method}.json", json=params)
        except httpx.TimeoutException as error:
            raise self._transport_error("TIMEOUT", method, error) from None
        except httpx.TransportError as error:
            raise self._transport_error("CONNECTION_ERROR", method, error) from None
        elapsed_ms = (time.monotonic() - started) * 1000
        line = "bitrix24_call method=%s portal=%s status=%s duration_ms=%d"
        logger.info(line, method, self.portal, response.status_code, elapsed_ms)
        return self._decode(method, response)

    def _transport_error(self, code: str, method: str, error: Exception) -> Bitrix24Retryable:
        # `from None` above: httpx exceptions carry the request, whose URL holds the token.
        description = self._redact(f"{type(error).__name__}: {error}".rstrip(": "))
        self._log_failure(method, code, None)
        return Bitrix24Retryable(code, description, None)

    def _log_failure(self, method: str, code: str, status: int | None) -> None:
        # The code and status only: descriptions may quote field values (personal data).
        line = "bitrix24_failed method=%s portal=%s status=%s code=%s"
        logger.warning(line, method, self.portal, status, code)

    def _decode(self, method: str, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            # An HTML page from a proxy or a load balancer, not the REST answering: a 5xx, a 2xx
            # or a throttle is passing weather; another 4xx page means a wrong URL.
            description = f"non-JSON answer to {method}"
            if status < 400 or status >= 500 or status in (408, 429):
                raise Bitrix24Retryable("INVALID_JSON", description, status)
            raise Bitrix24Fatal(f"HTTP_{status}", description, status)
        if "error" in data:  # check the key, not its value: the code may be empty
            code = str(data.get("error") or "")
            description = self._redact(str(data.get("error_description") or ""))
            self._log_failure(method, code, status)
            raise classify(code, description, status)
        if "result" not in data:
            raise classify("INVALID_RESPONSE", f"answer to {method} has no result", status)
        return data

    def _redact(self, text: str) -> str:
        return redact(text.replace(self._token, "***") if self._token else text)

    # domain helpers

    def find_lead_by_origin(self, origin_id: str) -> int | None:
        """The lead we created under this idempotency key, if any (exactly-once on retry)."""
        leads = self.call(
            "crm.lead.list",
            {
                "filter": {"=ORIGINATOR_ID": ORIGINATOR_ID, "=ORIGIN_ID": origin_id},
                "select": ["ID"],
                "order": {"ID": "ASC"},
            },
        )
        return int(leads[0]["ID"]) if leads else None

    def find_duplicate_leads(self, phones: Iterable[str], emails: Iterable[str]) -> list[int]:
        """Ids of leads sharing a phone or an e-mail (crm.duplicate.findbycomm), ascending.

        One call per communication type and 20 values; several calls go as one batch, so the
        check costs one unit of the rate limit however many contacts a company has.
        """
        commands: dict[str, tuple[str, Mapping[str, Any]]] = {}
        for kind, values in (("PHONE", _clean(phones)), ("EMAIL", _clean(emails))):
            for index in range(0, len(values), MAX_COMM_VALUES):
                chunk = values[index : index + MAX_COMM_VALUES]
                params = {"entity_type": "LEAD", "type": kind, "values": chunk}
                commands[f"{kind.lower()}_{index}"] = ("crm.duplicate.findbycomm", params)
        if not commands:
            return []
        if len(commands) == 1:
            [(method, params)] = commands.values()
            answers = [self.call(method, params)]
        else:
            result = self.batch(commands)
            if result.errors:
                raise next(iter(result.errors.values()))
            answers = list(result.results.values())
        # PHP answers `[]` rather than `{}` when nothing matched.
        found = [answer.get("LEAD", []) for answer in answers if isinstance(answer, dict)]
        return sorted({int(lead_id) for ids in found for lead_id in ids})

    def add_lead(self, fields: Mapping[str, Any]) -> int:
        """Create a lead; the answer is its id. Callers first try `find_lead_by_origin`."""
        params = {"fields": fields, "params": {"REGISTER_SONET_EVENT": "Y"}}
        return int(self.call("crm.lead.add", params))

    def add_timeline_comment(self, lead_id: int, text: str, author_id: int | None = None) -> int:
        """Add a comment to the lead's timeline; the answer is the comment's id."""
        fields: dict[str, Any] = {"ENTITY_ID": lead_id, "ENTITY_TYPE": "lead", "COMMENT": text}
        if author_id is not None:
            fields["AUTHOR_ID"] = author_id
        return int(self.call("crm.timeline.comment.add", {"fields": fields}))


def lead_fields(
    *,
    title: str,
    company_title: str,
    name: str,
    phones: Sequence[str],
    emails: Sequence[str],
    address: str,
    source_description: str,
    comments: str,
    origin_id: str,
    assigned_by_id: int | None = None,
    source_id: LeadSource = LeadSource.OTHER,
) -> dict[str, Any]:
    """`fields` of crm.lead.add for a transfer (crm-lead-add.md).

    PHONE and EMAIL are multi-fields, lists of {"VALUE", "VALUE_TYPE"}; ORIGINATOR_ID/ORIGIN_ID
    ("used only for linking to an external source") carry our idempotency key, so a retry can
    find the lead a lost answer already created.
    """
    fields: dict[str, Any] = {
        "TITLE": title,
        "COMPANY_TITLE": company_title,
        "NAME": name,
        "ADDRESS": address,
        "SOURCE_ID": str(source_id),
        "SOURCE_DESCRIPTION": source_description,
        "COMMENTS": comments,
        "ORIGINATOR_ID": ORIGINATOR_ID,
        "ORIGIN_ID": origin_id,
    }
    if phones := _clean(phones):
        fields["PHONE"] = [{"VALUE": phone, "VALUE_TYPE": "WORK"} for phone in phones]
    if emails := _clean(emails):
        fields["EMAIL"] = [{"VALUE": email, "VALUE_TYPE": "WORK"} for email in emails]
    if assigned_by_id is not None:
        fields["ASSIGNED_BY_ID"] = assigned_by_id
    return fields


def php_query(params: Mapping[str, Any]) -> str:
    """Flatten params the way PHP's `http_build_query` does: `fields[PHONE][0][VALUE]=…`.

    Batch commands are query strings (batch.md: "remember to URL-encode the request data"), read
    on the portal by PHP; booleans become 1/0 and None an empty value, as in PHP.
    """
    pairs: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(f"{prefix}[{key}]" if prefix else str(key), item)
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                walk(f"{prefix}[{index}]", item)
        elif isinstance(value, bool):
            pairs.append((prefix, "1" if value else "0"))
        else:
            pairs.append((prefix, "" if value is None else str(value)))

    walk("", params)
    return urlencode(pairs)


def redact(text: str) -> str:
    """Mask webhook tokens (`/rest/<user>/<token>/` → `/rest/<user>/***/`) in any text."""
    return _WEBHOOK_TOKEN.sub(r"\1***", text)


class _RedactWebhookTokens(logging.Filter):
    """httpx logs every request's full URL at INFO, and Zbut logs INFO: mask the token there."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/rest/" in message:
            record.msg, record.args = redact(message), None
        return True


def _install_log_filter() -> None:
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(item, _RedactWebhookTokens) for item in httpx_logger.filters):
        httpx_logger.addFilter(_RedactWebhookTokens())


_install_log_filter()


def _webhook_token(url: str) -> str:
    parts = urlsplit(url).path.strip("/").split("/")
    if len(parts) < 3 or parts[0] != "rest" or not parts[1].isdigit():
        raise ValueError(
            "a Bitrix24 webhook URL looks like https://<portal>/rest/<user_id>/<token>/"
        )
    return parts[2]


def _checked(method: str) -> str:
    method = method.strip().lower()
    if not _METHOD.match(method):
        raise ValueError(f"not a REST method name: {method!r}")
    return method


def _clean(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value.strip():
            seen.setdefault(value.strip())
    return list(seen)


def _batch_result(answer: Mapping[str, Any]) -> BatchResult:
    """Read batch's `result_*` maps; PHP sends an empty one as `[]`."""

    def as_map(key: str) -> dict[str, Any]:
        value = answer.get(key)
        return dict(value) if isinstance(value, Mapping) else {}

    errors = {
        key: classify(str(item.get("error") or ""), str(item.get("error_description") or ""), None)
        for key, item in as_map("result_error").items()
    }
    return BatchResult(
        results=as_map("result"),
        errors=errors,
        totals={key: int(value) for key, value in as_map("result_total").items()},
        nexts={key: int(value) for key, value in as_map("result_next").items()},
    )
