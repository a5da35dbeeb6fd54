"""Data Base ONLINE's live stream: SSE from an async view, resumable by Last-Event-ID."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient
from django.urls import reverse

from tests.conftest import World
from tests.desk.conftest import approved_companies
from tests.portal.online_helpers import call_next, open_today, worked_project
from zbut.accounts.models import User
from zbut.history.models import Event, EventKind
from zbut.portal import live, online_views
from zbut.portal.live import hub
from zbut.portal.online import OnlineFilters

SECONDS = 10


def stream(
    user: User | None,
    *,
    count: int,
    slug: str = "a-system",
    query: str = "",
    headers: dict[str, str] | None = None,
    after_open: Callable[[], object] | None = None,
) -> tuple[int, list[dict[str, str]]]:
    """Open the stream, run ``after_open`` once it answered, read ``count`` messages."""

    async def run() -> tuple[int, list[dict[str, str]]]:
        http = AsyncClient()
        if user is not None:
            await http.aforce_login(user)
        url = reverse("online_stream", args=[slug]) + query
        response = await http.get(url, headers=headers or {})
        if response.status_code != 200:
            return response.status_code, []
        assert response["Content-Type"] == "text/event-stream"
        messages: list[dict[str, str]] = []
        buffer = ""
        chunks = aiter(response.streaming_content)
        async with asyncio.timeout(SECONDS):
            while len(messages) < count:
                buffer += (await anext(chunks)).decode()
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    messages.append(_fields(block))
                    if len(messages) == 1 and after_open is not None:
                        await sync_to_async(after_open)()
        return 200, messages

    return async_to_sync(run)()


def _fields(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in block.splitlines():
        name, _, value = line.partition(":")
        fields[name or "comment"] = value.strip()
    return fields


def work_ids(world: World) -> list[int]:
    events = Event.objects.filter(project=world.project_a, kind__in=[EventKind.ATTEMPT,
                                  EventKind.OUTCOME]).order_by("id")  # fmt: skip
    return list(events.values_list("id", flat=True))


@pytest.mark.django_db
def test_the_stream_resumes_after_last_event_id(world: World) -> None:
    worked_project(world)
    first, second, third = work_ids(world)
    status, messages = stream(world.alice, count=3, headers={"Last-Event-ID": str(first)})
    assert status == 200
    assert messages[0] == {"retry": "2000"}
    assert [int(m["id"]) for m in messages[1:]] == [second, third]
    assert all(m["event"] == "row" for m in messages[1:])
    row = json.loads(messages[1]["data"])
    assert row["id"] == second and row["kind"] == "outcome" and row["today"] is True
    assert f'data-event-id="{second}"' in row["html"]


@pytest.mark.django_db
def test_the_query_cursor_and_the_filters_apply_to_the_stream(world: World) -> None:
    worked_project(world)
    status, messages = stream(world.bob, count=2, query="?last_event_id=0&outcome=warm")
    assert status == 200
    row = json.loads(messages[1]["data"])
    assert row["kind"] == "outcome" and 'data-outcome="warm"' in row["html"]


@pytest.mark.django_db(transaction=True)
def test_an_event_recorded_after_the_stream_opened_arrives(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only NOTIFY (PostgreSQL) or the short poll (SQLite) can deliver it within the timeout.
    monkeypatch.setattr(live, "SAFETY_POLL_SECONDS", 60.0)
    open_today(world)
    approved_companies(world.project_a, 2)
    call_next(world, None)
    before = work_ids(world)
    status, messages = stream(
        world.alice, count=2, after_open=lambda: call_next(world, "warm", note="Живий рядок")
    )
    assert status == 200
    new = json.loads(messages[1]["data"])
    assert new["id"] not in before and new["kind"] == "outcome"
    assert "Живий рядок" in new["html"]


@pytest.mark.django_db
def test_a_quiet_stream_sends_a_heartbeat_comment(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(online_views, "HEARTBEAT_SECONDS", 0.2)
    status, messages = stream(world.alice, count=2)
    assert status == 200 and messages[1] == {"comment": "heartbeat"}


@pytest.mark.django_db
def test_leaving_ends_the_stream_and_its_subscription(world: World) -> None:
    worked_project(world)

    async def run() -> dict:
        messages = online_views._messages(world.project_a, OnlineFilters(), 0)
        assert (await anext(messages)).startswith(b"retry:")
        assert b"event: row" in await anext(messages)
        assert world.project_a.pk in hub()._streams
        await messages.aclose()
        return dict(hub()._streams)

    assert async_to_sync(run)() == {}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["charlie", "other_manager"])
def test_the_stream_of_another_project_is_404(world: World, who: str) -> None:
    assert stream(getattr(world, who), count=1)[0] == 404
    assert stream(world.alice, count=1, slug="b-system")[0] == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "bob", "admin", "coordinator", "manager"])
def test_people_of_the_project_may_stream(world: World, who: str) -> None:
    assert stream(getattr(world, who), count=1)[0] == 200


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(world: World) -> None:
    assert stream(None, count=1)[0] == 302


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?last_event_id=abc", "?date_from=garbage", "?outcome=x"])
def test_bad_input_to_the_stream_is_a_400(world: World, query: str) -> None:
    assert stream(world.alice, count=1, query=query)[0] == 400
