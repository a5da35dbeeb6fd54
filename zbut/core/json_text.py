"""Compact JSON text for hot paths: the history's hashes, the rows of an import."""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from typing import Any


def compact_json_encoder(*, sort_keys: bool) -> Callable[[Any], str]:
    """``json.dumps(value, sort_keys=…, ensure_ascii=False, separators=(",", ":"))``.

    json.dumps builds a new encoder, and JSONEncoder.encode a new C encoder, on every call;
    this builds the C encoder once (the same one, with the same options), which halves the
    cost. Unlike json.dumps it does not look for circular references (the values are data: a
    circular one fails with RecursionError rather than ValueError).
    """
    options = json.JSONEncoder(sort_keys=sort_keys, ensure_ascii=False, separators=(",", ":"))
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator: the plain encoder
        return options.encode
    encoder = make(
        None,  # markers: no check for circular references
        options.default,
        json.encoder.encode_basestring,  # ensure_ascii=False
        None,  # indent
        ":",
        ",",
        sort_keys,
        False,  # skipkeys
        True,  # allow_nan, as json.dumps
    )
    join = "".join
    return lambda value: join(encoder(value, 0))
