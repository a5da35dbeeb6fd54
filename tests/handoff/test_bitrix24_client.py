"""The Bitrix24 client against an emulated portal over real HTTP: results, and failures sorted
into Retryable (the outbox tries again) and Fatal (a dead message the coordinator reads)."""

from __future__ import annotations

import logging
import pickle
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.emulators.bitrix24 import Portal, running_bitrix24
from tests.emulators.php_query import parse_php_query
from zbut.handoff.bitrix24 import (
    Bitrix24Client,
    Bitrix24Fatal,
    Bitrix24Retryable,
    LeadSource,
    classify,
    lead_fields,
    php_query,
)

GENEROUS = 10.0  # seconds; only the timeout test uses a short client timeout


def transfer_fields(origin_id: str = "transfer-1", **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "Зацікавлений: ТОВ «Альфа»",
        "company_title": "ТОВ «Альфа»",
        "name": "Олена Коваль",
        "phones": ["+380 44 123 45 67", "+380 67 765 43 21"],
        "emails": ["Boss@Alpha.ua"],
        "address": "Київ, вул. Хрещатик, 1",
        "source_description": "Агенція Zbut · проєкт Альфа",
        "comments": "Дзвінок 12.05: цікавить оптова поставка.",
        "origin_id": origin_id,
        **overrides,
    }
    return lead_fields(**values)  # type: ignore[arg-type]


def test_add_lead_stores_multi_fields_and_the_idempotency_key(bitrix24: Portal):
    with Bitrix24Client(bitrix24.webhook_url, timeout=GENEROUS) as client:
        lead_id = client.add_lead(transfer_fields(assigned_by_id=7))

    lead = bitrix24.leads[lead_id]
    assert lead.values("PHONE") == ["+380 44 123 45 67", "+380 67 765 43 21"]
    assert [item["VALUE_TYPE"] for item in lead.multi["PHONE"]] == ["WORK", "WORK"]
    assert lead.values("EMAIL") == ["Boss@Alpha.ua"]
    assert lead.fields["COMPANY_TITLE"] == "ТОВ «Альфа»"
    assert lead.fields["SOURCE_ID"] == "OTHER"
    assert lead.fields["ORIGINATOR_ID"] == "zbut"
    assert lead.fields["ORIGIN_ID"] == "transfer-1"
    assert lead.fields["ASSIGNED_BY_ID"] == "7"


def test_duplicate_search_finds_an_existing_lead_by_phone_and_by_email(bitrix24: Portal):
    with Bitrix24Client(bitrix24.webhook_url, timeout=GENEROUS) as client:
        lead_id = client.add_lead(transfer_fields())

        assert client.find_duplicate_leads(["380441234567"], []) == [lead_id]
        assert client.find_duplicate_leads([], ["boss@alpha.ua"]) == [lead_id]
        assert client.find_duplicate_leads(["+380 99 000 00 00"], ["nobody@beta.ua"]) == []


def test_duplicate_search_over_twenty_phones_is_one_batch_request(bitrix24: Portal):
    phones = [f"+380 50 000 00 {index:02d}" for index in range(30)]
    with Bitrix24Client(bitrix24.webhook_url, timeout=GENEROUS) as client:
        lead_id = client.add_lead(transfer_fields(phones=[phones[25]], emails=[]))
        before = len(bitrix24.requests)

        assert client.find_duplicate_leads(phones, ["boss@alpha.ua"]) == [lead_id]

    assert [request.method for request in bitrix24.requests[before:]] == ["batch"]


def test_timeline_comment_is_added_to_the_lead(bitrix24: Portal):
    with Bitrix24Client(bitrix24.webhook_url, timeout=GENEROUS) as client:
        lead_id = client.add_lead(transfer_fields())
        comment_id = client.add_timeline_comment(lead_id, "Передзвонити 14.05", author_id=3)

    [comment] = bitrix24.leads[lead_id].comments
    assert (comment.id, comment.text, comment.author_id) == (comment_id, "Передзвонити 14.05", "3")


def comment_command(entity_id: str, text: str) -> tuple[str, dict[str, object]]:
    fields = {"ENTITY_ID": entity_id, "ENTITY_TYPE": "lead", "COMMENT": text}
    return "crm.timeline.comment.add", {"fields": fields}


def test_batch_of_fifty_commands_with_result_references_is_one_request(bitrix24: Portal):
    commands: dict[str, tuple[str, dict[str, object]]] = {}
    for index in range(24):
        commands[f"add_{index}"] = ("crm.lead.add", {"fields": transfer_fields(f"backlog-{index}")})
        commands[f"note_{index}"] = comment_command(f"$result[add_{index}]", f"#{index}")
    commands["found"] = ("crm.lead.list", {"filter": {"ORIGIN_ID": "backlog-7"}, "select": ["ID"]})
    commands["found_note"] = comment_command("$result[found][0][ID]", "found")
    assert len(commands) == 50

    with Bitrix24Client(bitrix24.webhook_url, timeout=GENEROUS) as client:
        result = client.batch(commands, halt=True)

    assert result.ok
    assert len(result.results) == 50
    assert result.totals == {"found": 1}
    assert [request.method for request in bitrix24.requests] == ["batch"]
    for index in range(24):
        lead = bitrix24.leads[result.results[f"add_{index}"]]
        assert lead.values("PHONE") == ["+380 44 123 45 67", "+380 67 765 43 21"]
        assert f"#{index}" in [comment.text for comment in lead.comments]
    [backlog_7] = bitrix24.leads_with_origin("backlog-7")
    assert [comment.text for comment in backlog_7.comments] == ["#7", "found"]


def test_batch_reports_a_rejected_sub_command_as_fatal(bitrix24: Portal):
    commands = {
        "good": ("crm.lead.add", {"fields": {"TITLE": "Good"}}),
        "bad": ("crm.lead.add", {"fields": {"TITLE": "Bad", "SOURCE_ID": "NO_SUCH_SOURCE"}}),
    }
    with Bitrix24Client(bitrix24.webhook_url, timeout=GENEROUS) as client:
        result = client.batch(commands)

    assert set(result.results) == {"good"}
    assert isinstance(result.errors["bad"], Bitrix24Fatal)
    assert "SOURCE_ID" in result.errors["bad"].description


def test_burst_over_the_limit_raises_retryable_query_limit_exceeded():
    with (
        running_bitrix24(rate=0.001, burst=3) as portal,
        Bitrix24Client(portal.webhook_url, timeout=GENEROUS) as client,
    ):
        for _ in range(3):
            assert client.find_lead_by_origin("nothing") is None
        with pytest.raises(Bitrix24Retryable) as raised:
            client.find_lead_by_origin("nothing")

    assert (raised.value.code, raised.value.status) == ("QUERY_LIMIT_EXCEEDED", 503)
    assert raised.value.description == "Too many requests"


def test_http_503_from_the_web_server_is_retryable(bitrix24: Portal):
    bitrix24.faults.unavailable(1)
    with Bitrix24Client(bitrix24.webhook_url, timeout=GENEROUS) as client:
        with pytest.raises(Bitrix24Retryable) as raised:
            client.add_lead(transfer_fields())
        lead_id = client.add_lead(transfer_fields())  # the next request goes through

    assert raised.value.status == 503
    assert list(bitrix24.leads) == [lead_id]


def test_dropped_connection_is_retryable_and_does_not_leak_the_token(bitrix24: Portal):
    bitrix24.faults.drop_connections(1)
    with (
        Bitrix24Client(bitrix24.webhook_url, timeout=GENEROUS) as client,
        pytest.raises(Bitrix24Retryable) as raised,
    ):
        client.add_lead(transfer_fields())

    assert raised.value.code == "CONNECTION_ERROR"
    assert raised.value.__cause__ is None  # httpx's exception holds the URL, and so the token
    assert bitrix24.token not in str(raised.value)
    assert bitrix24.leads == {}


def test_slow_answer_past_the_client_timeout_is_retryable(bitrix24: Portal):
    bitrix24.faults.slow(5.0)
    with (
        Bitrix24Client(bitrix24.webhook_url, timeout=0.3) as client,
        pytest.raises(Bitrix24Retryable) as raised,
    ):
        client.find_lead_by_origin("transfer-1")

    assert raised.value.code == "TIMEOUT"
    assert raised.value.status is None


def test_proxy_html_instead_of_json_is_retryable(bitrix24: Portal):
    bitrix24.faults.garbage(1)
    with (
        Bitrix24Client(bitrix24.webhook_url, timeout=GENEROUS) as client,
        pytest.raises(Bitrix24Retryable) as raised,
    ):
        client.find_lead_by_origin("transfer-1")

    assert (raised.value.code, raised.value.status) == ("INVALID_JSON", 502)


def test_bad_token_is_fatal_and_the_token_is_in_no_message_repr_or_log(bitrix24: Portal, caplog):
    secret = "wr0ng-s3cret-webhook-token"
    caplog.set_level(logging.DEBUG)
    with (
        Bitrix24Client(bitrix24.webhook_url_with(secret), timeout=GENEROUS) as client,
        pytest.raises(Bitrix24Fatal) as raised,
    ):
        client.add_lead(transfer_fields())

    assert (raised.value.code, raised.value.status) == ("INVALID_CREDENTIALS", 401)
    assert "INVALID_CREDENTIALS" in caplog.text  # the failure is logged …
    assert "/rest/1/***/" in caplog.text  # … httpx's request line too, masked
    for text in (str(raised.value), repr(raised.value), repr(client), client.portal, caplog.text):
        assert secret not in text


def test_unknown_method_is_fatal(bitrix24: Portal):
    with (
        Bitrix24Client(bitrix24.webhook_url, timeout=GENEROUS) as client,
        pytest.raises(Bitrix24Fatal) as raised,
    ):
        client.call("crm.lead.teleport", {})

    assert (raised.value.code, raised.value.status) == ("ERROR_METHOD_NOT_FOUND", 404)


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"TITLE": "x", "SOURCE_ID": "NO_SUCH_SOURCE"}, "SOURCE_ID"),
        ({"TITLE": "x", "PHONE": "+380441234567"}, "PHONE"),
        ({"TITLE": "x", "EMAIL": [{"VALUE": "not-an-email", "VALUE_TYPE": "WORK"}]}, "EMAIL"),
    ],
)
def test_rejected_field_is_fatal_with_the_bitrix24_text(bitrix24: Portal, fields, text):
    with (
        Bitrix24Client(bitrix24.webhook_url, timeout=GENEROUS) as client,
        pytest.raises(Bitrix24Fatal) as raised,
    ):
        client.add_lead(fields)

    assert raised.value.status == 400
    assert text in raised.value.description
    assert raised.value.description in str(raised.value)
    assert bitrix24.leads == {}


def test_answer_lost_after_create_is_retryable_and_the_lead_is_found_by_origin(bitrix24: Portal):
    bitrix24.faults.lose_answer_after_create(1)
    with Bitrix24Client(bitrix24.webhook_url, timeout=GENEROUS) as client:
        with pytest.raises(Bitrix24Retryable):
            client.add_lead(transfer_fields("transfer-42"))

        # What the outbox does on the retry: look the key up before adding again.
        found = client.find_lead_by_origin("transfer-42")
        assert client.find_lead_by_origin("transfer-43") is None

    [lead] = bitrix24.leads.values()
    assert found == lead.id


def test_lead_fields_skip_blank_and_repeated_contacts():
    fields = transfer_fields(
        phones=["+380441234567", " ", "+380441234567"],
        emails=[],
        source_id=LeadSource.PARTNER,
    )

    assert fields["PHONE"] == [{"VALUE": "+380441234567", "VALUE_TYPE": "WORK"}]
    assert "EMAIL" not in fields
    assert "ASSIGNED_BY_ID" not in fields
    assert fields["SOURCE_ID"] == "PARTNER"


@pytest.mark.parametrize(
    ("code", "status", "retryable"),
    [
        ("QUERY_LIMIT_EXCEEDED", 503, True),
        ("QUERY_LIMIT_EXCEEDED", None, True),  # inside a batch: no status of its own
        ("INTERNAL_SERVER_ERROR", 500, True),
        ("OPERATION_TIME_LIMIT", 429, True),
        ("OVERLOAD_LIMIT", 503, False),
        ("INVALID_CREDENTIALS", 401, False),
        ("expired_token", 401, False),
        ("ERROR_METHOD_NOT_FOUND", 404, False),
        ("", 400, False),
    ],
)
def test_classify_sorts_bitrix24_errors(code, status, retryable):
    error = classify(code, "text", status)

    assert isinstance(error, Bitrix24Retryable if retryable else Bitrix24Fatal)


def test_errors_survive_pickling():
    error = pickle.loads(pickle.dumps(Bitrix24Fatal("", "Not found", 400)))  # noqa: S301

    assert (type(error), error.code, error.description, error.status) == (
        Bitrix24Fatal,
        "",
        "Not found",
        400,
    )


_keys = st.text(alphabet=string.ascii_uppercase + "_", min_size=1, max_size=8)
_scalars = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, min_size=1, max_size=3)
        | st.dictionaries(_keys, inner, min_size=1, max_size=3)
    ),
    max_leaves=10,
)


@given(st.dictionaries(_keys, _values, min_size=1, max_size=4))
def test_php_query_is_read_back_by_a_php_style_parser(params):
    assert parse_php_query(php_query(params)) == params
