"""The fast compact JSON writes exactly what json.dumps writes with the same options."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from zbut.core.json_text import compact_json_encoder

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_the_encoder_writes_what_json_dumps_writes(value: object) -> None:
    for sort_keys in (True, False):
        expected = json.dumps(value, sort_keys=sort_keys, ensure_ascii=False, separators=(",", ":"))
        assert compact_json_encoder(sort_keys=sort_keys)(value) == expected


def test_cyrillic_stays_as_it_is_and_keys_keep_their_order_unless_sorted() -> None:
    extra = {"Сайт": "агро.ua", "Примітка": "-"}
    assert compact_json_encoder(sort_keys=False)(extra) == '{"Сайт":"агро.ua","Примітка":"-"}'
    assert compact_json_encoder(sort_keys=True)(extra) == '{"Примітка":"-","Сайт":"агро.ua"}'
