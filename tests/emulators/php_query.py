"""PHP-style query strings, as the Bitrix24 REST reads form bodies and batch commands.

Bitrix24 is PHP: a form body or a batch command `crm.lead.add?fields[PHONE][0][VALUE]=…` is read
with `parse_str`, which turns bracketed keys into nested arrays. The emulator must read them the
same way, or a client that flattens parameters wrongly would pass its tests and fail on a real
portal (https://apidocs.bitrix24.com/settings/how-to-call-rest-api/data-encoding.html).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

_KEY = re.compile(r"^(?P<name>[^\[\]]+)(?P<rest>(?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")


def parse_php_query(query: str) -> dict[str, Any]:
    """Parse `a[b][0][c]=v&a[b][]=w` into nested dicts and lists, like PHP's `parse_str`.

    A PHP array whose keys are 0…n-1 is a list once encoded as JSON, so such dicts become lists.
    """
    root: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        match = _KEY.match(key)
        if match is None:
            root[key] = value
            continue
        parts = [match["name"], *_PART.findall(match["rest"])]
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        last = parts[-1]
        if last == "":
            last = str(len(node))
        node[last] = value
    return _listify(root)


def _listify(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    converted = {key: _listify(item) for key, item in value.items()}
    if converted and list(converted) == [str(index) for index in range(len(converted))]:
        return list(converted.values())
    return converted
