"""The emulator itself keeps to the documented wire format: leaky bucket, batch, errors, bodies.

Raw httpx here, not our client, so that a bug shared by both cannot hide."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.emulators.bitrix24 import LeakyBucket, Portal, running_bitrix24
from tests.emulators.php_query import parse_php_query


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def portal() -> Iterator[Portal]:
    with running_bitrix24() as running:
        yield running


def post(portal: Portal, method: str, **kwargs: object) -> httpx.Response:
    return httpx.post(f"{portal.webhook_url}{method}.json", timeout=10.0, **kwargs)  # type: ignore[arg-type]


def test_leaky_bucket_allows_the_burst_then_refills_at_the_configured_rate():
    clock = FakeClock()
    bucket = LeakyBucket(rate=2.0, burst=3, clock=clock)

    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]
    clock.now += 0.5  # drains one request at 2 per second
    assert [bucket.try_acquire() for _ in range(2)] == [True, False]
    clock.now += 60  # never below empty: a long pause buys one burst, not more
    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]


def test_over_the_limit_is_503_query_limit_exceeded_and_a_batch_counts_once():
    with running_bitrix24(rate=0.001, burst=2) as portal:
        batch = {"cmd": {f"c{i}": "crm.lead.list?select[]=ID" for i in range(50)}}
        answers = [post(portal, "batch", json=batch), post(portal, "crm.lead.list", json={})]
        refused = post(portal, "crm.lead.list", json={})

    assert [answer.status_code for answer in answers] == [200, 200]
    assert refused.status_code == 503
    assert refused.json() == {
        "error": "QUERY_LIMIT_EXCEEDED",
        "error_description": "Too many requests",
    }


def test_success_answers_carry_result_and_time(portal: Portal):
    answer = post(portal, "crm.lead.add", json={"fields": {"TITLE": "A", "ORIGIN_ID": "k"}})

    assert answer.status_code == 200
    assert answer.json()["result"] == 1
    assert {"start", "finish", "duration", "date_start"} <= set(answer.json()["time"])


def test_form_encoded_body_is_read_like_php(portal: Portal):
    form = {
        "fields[TITLE]": "Form lead",
        "fields[PHONE][0][VALUE]": "+380441234567",
        "fields[PHONE][0][VALUE_TYPE]": "MOBILE",
    }
    lead_id = httpx.post(f"{portal.webhook_url}crm.lead.add", data=form, timeout=10.0).json()[
        "result"
    ]

    assert portal.leads[lead_id].multi["PHONE"][0]["VALUE_TYPE"] == "MOBILE"


def test_wrong_token_is_401_invalid_credentials(portal: Portal):
    answer = httpx.post(
        f"{portal.webhook_url_with('nope')}crm.lead.list.json", json={}, timeout=10.0
    )

    assert answer.status_code == 401
    assert answer.json()["error"] == "INVALID_CREDENTIALS"


def test_unknown_method_is_404_and_bad_field_is_400(portal: Portal):
    unknown = post(portal, "crm.lead.fly", json={})
    bad = post(portal, "crm.lead.add", json={"fields": {"TITLE": "x", "PHONE": "+380441234567"}})

    assert (unknown.status_code, unknown.json()["error"]) == (404, "ERROR_METHOD_NOT_FOUND")
    assert bad.status_code == 400
    assert set(bad.json()) == {"error", "error_description"}


def test_findbycomm_answers_an_empty_array_when_nothing_matches(portal: Portal):
    params = {"entity_type": "LEAD", "type": "EMAIL", "values": ["x@y.ua"]}

    assert post(portal, "crm.duplicate.findbycomm", json=params).json()["result"] == []


def test_batch_without_halt_runs_every_command_and_reports_errors_by_key(portal: Portal):
    cmd = {
        "a": "crm.lead.add?fields[TITLE]=A",
        "bad": "crm.lead.get?id=999",
        "b": "crm.lead.add?fields[TITLE]=B",
        "get_a": "crm.lead.get?id=$result[a]",
    }
    answer = post(portal, "batch", json={"halt": 0, "cmd": cmd}).json()["result"]

    assert set(answer["result"]) == {"a", "b", "get_a"}
    assert answer["result"]["get_a"]["TITLE"] == "A"
    assert answer["result_error"] == {"bad": {"error": "", "error_description": "Not found"}}
    assert set(answer["result_time"]) == {"a", "b", "get_a"}
    assert answer["result_total"] == []
    assert answer["result_next"] == []


def test_batch_with_halt_stops_at_the_first_error(portal: Portal):
    cmd = {
        "a": "crm.lead.add?fields[TITLE]=A",
        "bad": "crm.lead.get?id=999",
        "b": "crm.lead.add?fields[TITLE]=B",
    }
    answer = post(portal, "batch", json={"halt": 1, "cmd": cmd}).json()["result"]

    assert set(answer["result"]) == {"a"}
    assert set(answer["result_error"]) == {"bad"}
    assert [lead.fields["TITLE"] for lead in portal.leads.values()] == ["A"]


def test_batch_refuses_commands_past_fifty_and_nested_batches(portal: Portal):
    cmd = {f"c{index}": "crm.lead.list?select[]=ID" for index in range(52)}
    cmd["nested"] = "batch?cmd[x]=crm.lead.list"
    answer = post(portal, "batch", json={"cmd": cmd}).json()["result"]

    assert len(answer["result"]) == 50
    assert answer["result_total"]["c0"] == 0
    errors = answer["result_error"]
    assert errors["c50"]["error"] == errors["c51"]["error"] == "ERROR_BATCH_LENGTH_EXCEEDED"
    assert set(errors) == {"c50", "c51", "nested"}


def test_list_pages_by_fifty_with_next_and_total(portal: Portal):
    cmd = {f"add{index}": f"crm.lead.add?fields[TITLE]=L{index}" for index in range(50)}
    post(portal, "batch", json={"cmd": cmd})
    post(portal, "crm.lead.add", json={"fields": {"TITLE": "L50"}})

    first = post(portal, "crm.lead.list", json={"select": ["ID"]}).json()
    second = post(portal, "crm.lead.list", json={"select": ["ID"], "start": first["next"]}).json()

    assert (len(first["result"]), first["next"], first["total"]) == (50, 50, 51)
    assert [lead["ID"] for lead in second["result"]] == ["51"]
    assert "next" not in second


def test_lost_answer_stores_the_lead_but_a_dropped_request_does_nothing(portal: Portal):
    portal.faults.drop_connections(1)
    with pytest.raises(httpx.RemoteProtocolError):
        post(portal, "crm.lead.add", json={"fields": {"TITLE": "dropped"}})
    portal.faults.lose_answer_after_create(1)
    with pytest.raises(httpx.RemoteProtocolError):
        post(portal, "crm.lead.add", json={"fields": {"TITLE": "lost"}})

    assert [lead.fields["TITLE"] for lead in portal.leads.values()] == ["lost"]
    assert [request.status for request in portal.requests] == [None, None]


def test_chaos_fails_the_given_share_of_requests(portal: Portal):
    portal.faults.chaos(1.0, seed=7)
    outcomes = []
    for _ in range(6):
        try:
            outcomes.append(post(portal, "crm.lead.list", json={}).status_code)
        except httpx.RemoteProtocolError:
            outcomes.append(None)
    portal.faults.clear()

    assert set(outcomes) <= {503, None}
    assert post(portal, "crm.lead.list", json={}).status_code == 200


def test_php_query_parser_builds_lists_and_nested_objects():
    parsed = parse_php_query(
        "fields[PHONE][0][VALUE]=1&fields[PHONE][1][VALUE]=2&select[]=ID&x=%24"
    )

    assert parsed == {
        "fields": {"PHONE": [{"VALUE": "1"}, {"VALUE": "2"}]},
        "select": ["ID"],
        "x": "$",
    }
