"""The emulated `batch` method: up to 50 commands in one request, `halt`, `$result[…]` references.

Follows https://apidocs.bitrix24.com/settings/how-to-call-rest-api/batch.html and error-codes.md
of github.com/bitrix24/b24restdocs.
"""

from __future__ import annotations

import re
import time
from typing import Any

from tests.emulators.bitrix24_crm import Crm, MethodAnswer, RestError, time_block
from tests.emulators.php_query import parse_php_query

MAX_BATCH = 50  # batch.md: "The number of requests in a batch is limited to 50"

_REFERENCE = re.compile(r"\$result\[([^\[\]]+)\]((?:\[[^\[\]]*\])*)")
_TRUE = {"1", "true", "y", "yes"}


def run_batch(crm: Crm, params: dict[str, Any]) -> dict[str, Any]:
    """Run `cmd` in order; `$result[key][field]…` reads an earlier answer (batch.md).

    Commands past the 50th each get ERROR_BATCH_LENGTH_EXCEEDED (error-codes.md); a nested batch
    gets ERROR_BATCH_METHOD_NOT_ALLOWED. With `halt` the first error stops the sequence and only
    that error is reported. Empty collections are `[]`, as PHP encodes an empty array.
    """
    commands = params.get("cmd") or {}
    if isinstance(commands, list):
        commands = {str(index): command for index, command in enumerate(commands)}
    if not isinstance(commands, dict):
        raise RestError(400, "", "Parameter 'cmd' must be an array of commands")
    halt = str(params.get("halt", "0")).lower() in _TRUE
    results: dict[str, Any] = {}
    errors: dict[str, dict[str, str]] = {}
    totals: dict[str, int] = {}
    nexts: dict[str, int] = {}
    times: dict[str, dict[str, Any]] = {}
    for position, (key, command) in enumerate(commands.items()):
        started = time.time()
        try:
            answer = _run_command(crm, position, str(command), results)
        except RestError as error:
            errors[key] = error.body()
            if halt:
                break
            continue
        results[key] = answer.result
        times[key] = time_block(started)
        if answer.total is not None:
            totals[key] = answer.total
        if answer.next is not None:
            nexts[key] = answer.next
    return {
        "result": results or [],
        "result_error": errors or [],
        "result_total": totals or [],
        "result_next": nexts or [],
        "result_time": times or [],
    }


def _run_command(crm: Crm, position: int, command: str, results: dict[str, Any]) -> MethodAnswer:
    if position >= MAX_BATCH:
        raise RestError(400, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded")
    method, _, query = command.partition("?")
    method = method.strip().lower()
    if method == "batch":
        raise RestError(
            405, "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage"
        )
    return crm.call(method, _substitute(parse_php_query(query), results))


def _substitute(value: Any, results: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {key: _substitute(item, results) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, results) for item in value]
    if not isinstance(value, str) or "$result[" not in value:
        return value
    return _REFERENCE.sub(lambda match: _resolve(match, results), value)


def _resolve(match: re.Match[str], results: dict[str, Any]) -> str:
    # An unresolvable reference is left as written: undocumented, and the plausible choice.
    if match[1] not in results:
        return match[0]
    node: Any = results[match[1]]
    for part in re.findall(r"\[([^\[\]]*)\]", match[2]):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return match[0]
    if isinstance(node, bool):
        return "1" if node else ""  # PHP's (string) of a boolean
    return str(node)
