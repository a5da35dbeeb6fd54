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
        assert world.project_a.pk in hub().projects()
        await messages.aclose()
        return hub().projects()

    assert async_to_sync(run)() == set()


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


@pytest.mark.django_db
def test_streams_of_a_project_share_one_read_per_wake_up(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No listener and no poll: only the first read and our explicit wake-up may read.
    monkeypatch.setattr(live, "is_postgresql", lambda: False)
    monkeypatch.setattr(live, "SQLITE_POLL_SECONDS", 60.0)
    worked_project(world)
    approved_companies(world.project_a, 1, start=20)
    first, second, third = work_ids(world)
    reads: list[int] = []
    real_read = online_views._rendered_after

    def counted(project, filters, after_id, language):  # type: ignore[no-untyped-def]
        reads.append(after_id)
        return real_read(project, filters, after_id, language)

    monkeypatch.setattr(online_views, "_rendered_after", counted)

    async def run() -> list[list[int]]:
        streams = [online_views._messages(world.project_a, OnlineFilters(), first)
                   for _ in range(4)]  # fmt: skip
        received: list[list[int]] = [[] for _ in streams]
        for stream_ in streams:
            await anext(stream_)  # retry:
        for number, stream_ in enumerate(streams):
            received[number] += [_event_id(await anext(stream_)) for _ in range(2)]
        await sync_to_async(call_next)(world, "warm")
        hub().wake({world.project_a.pk})
        for number, stream_ in enumerate(streams):
            received[number].append(_event_id(await anext(stream_)))
        for stream_ in streams:
            await stream_.aclose()
        return received

    received = async_to_sync(run)()
    assert received == [[second, third, work_ids(world)[-1]]] * 4
    assert reads == [first, third]  # one read to start, one for the wake-up, for all four


@pytest.mark.django_db
def test_a_stream_older_than_its_feed_catches_up_from_the_database(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "is_postgresql", lambda: False)
    monkeypatch.setattr(live, "SQLITE_POLL_SECONDS", 60.0)
    worked_project(world)
    approved_companies(world.project_a, 1, start=20)
    first, second, third = work_ids(world)

    async def run() -> tuple[list[int], list[int], list[int]]:
        fresh = online_views._messages(world.project_a, OnlineFilters(), third)
        resumed = online_views._messages(world.project_a, OnlineFilters(), 0)
        warm_only = online_views._messages(world.project_a, OnlineFilters(outcome="warm"), 0)
        for stream_ in (fresh, resumed, warm_only):
            await anext(stream_)  # retry:
        heartbeat = asyncio.ensure_future(anext(fresh))  # the feed is made at the newest row
        await asyncio.sleep(0)
        old = [_event_id(await anext(resumed)) for _ in range(3)]
        warm = [_event_id(await anext(warm_only))]
        await sync_to_async(call_next)(world, "hostile")
        hub().wake({world.project_a.pk})
        new = [_event_id(await heartbeat), _event_id(await anext(resumed))]
        for stream_ in (fresh, resumed, warm_only):
            await stream_.aclose()
        return old, warm, new

    old, warm, new = async_to_sync(run)()
    latest = work_ids(world)[-1]
    assert old == [first, second, third]
    assert warm == [second]
    assert new == [latest, latest]


@pytest.mark.django_db
def test_streams_in_other_languages_do_not_share_rendered_rows(world: World) -> None:
    worked_project(world)
    first, second, _ = work_ids(world)

    async def run() -> list[str]:
        streams = [online_views._messages(world.project_a, OnlineFilters(), first, language)
                   for language in ("uk", "en")]  # fmt: skip
        rows = []
        for stream_ in streams:  # both open at once, as two viewers would be
            await anext(stream_)  # retry:
            rows.append(json.loads(_fields((await anext(stream_)).decode())["data"])["html"])
        for stream_ in streams:
            await stream_.aclose()
        return rows

    ukrainian, english = async_to_sync(run)()
    assert f'data-event-id="{second}"' in ukrainian and f'data-event-id="{second}"' in english
    assert "Потенційно зацікавлений" in ukrainian and "Потенційно зацікавлений" not in english


def test_a_feed_keeps_its_recent_rows_and_sends_the_rest_to_the_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(live, "RECENT_MESSAGES", 2)
    monkeypatch.setattr(live, "wait_seconds", lambda: 60.0)
    rows: list[live.Message] = []
    reads: list[int] = []

    async def read(after: int) -> list[live.Message]:
        reads.append(after)
        return [row for row in rows if row[0] > after]

    async def run() -> None:
        feed = live.Feed(cursor=0, since=0)
        rows.extend((n, b"m%d" % n) for n in range(1, 4))
        assert await feed.after(0, read) == (rows[:3], 3)
        assert await feed.after(1, read) == (rows[1:3], 3)  # from memory
        assert reads == [0]
        rows.extend((n, b"m%d" % n) for n in range(4, 6))
        feed.wake()
        # This read keeps 5 rows, more than twice RECENT_MESSAGES: the feed keeps the last two,
        # so the stream at 1 that asked for it reads rows 2 and 3 itself.
        assert await feed.after(1, read) == (rows[1:5], 5)
        assert (feed.since, [m[0] for m in feed.recent]) == (3, [4, 5])
        assert await feed.after(3, read) == (rows[3:5], 5)  # from memory again
        assert await feed.after(2, read) == (rows[2:5], 5)  # behind: its own read
        assert reads == [0, 3, 1, 2]
        assert await feed.after(9, read) == ([], 9)

    async_to_sync(run)()


def _event_id(message: bytes) -> int:
    fields = _fields(message.decode())
    assert fields.get("event") == "row", fields
    return int(fields["id"])
