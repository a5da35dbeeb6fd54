"""Waking the Data Base ONLINE streams when their project gets new events, and sharing reads.

On PostgreSQL one listener per process (an asyncio task holding one psycopg connection with
``LISTEN zbut_history``) marks the feeds of the projects a notification names as stale and
wakes their streams. On SQLite there is nothing to listen to: a feed is stale again
``SQLITE_POLL_SECONDS`` after its last read. On PostgreSQL a feed also re-reads after
``SAFETY_POLL_SECONDS``, so a notification lost while the listener reconnects delays a row,
never loses it. The listener starts with the first stream of its event loop and stops with the
last one.

A feed is the streams of one project that show the same filters. Its reads are shared: when
it is stale, the first of its streams to ask reads the new rows once (rendered) and keeps the
latest ``RECENT_MESSAGES`` of them; every other stream takes its rows from memory. So a
notification costs one database read per feed and process, not one per viewer: with 200
viewers, one read per viewer per event was the storm that made the stream late. A stream
whose position is older than what the feed holds (a resume by ``Last-Event-ID``, a fresh
stream, a slow client) reads its own catch-up from the database, as before.

Rows are read by event id, which within a project grows in commit order (the chain's head
lock orders writers), so "every row after id N" is never missing a row that commits later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from bisect import bisect_right
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

from django.db import connections

from zbut.history.notify import CHANNEL, project_ids
from zbut.portal.online import PAGE_SIZE

logger = logging.getLogger(__name__)

SQLITE_POLL_SECONDS = 0.2
SAFETY_POLL_SECONDS = 5.0
RECONNECT_SECONDS = 1.0
# Messages a feed keeps for its streams: a stream further behind than this reads on its own.
RECENT_MESSAGES = 500

Message = tuple[int, bytes]  # (event id, the SSE message that carries it)
# Reads the rendered messages after an event id, oldest first, at most PAGE_SIZE of them.
Reader = Callable[[int], Awaitable[list[Message]]]


def is_postgresql() -> bool:
    return connections["default"].vendor == "postgresql"


def wait_seconds() -> float:
    """How long a feed trusts its last read when nothing woke it."""
    return SAFETY_POLL_SECONDS if is_postgresql() else SQLITE_POLL_SECONDS


@dataclass
class Feed:
    """The streams of one project with the same filters, and the messages read for them.

    ``recent`` holds every message with ``since < id <= cursor``, oldest first (``ids`` are
    their ids); ``cursor`` is the newest id read. Both only grow.
    """

    cursor: int
    since: int
    recent: list[Message] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    stale: bool = True  # woken since the last read (a new feed reads at once)
    read_at: float = float("-inf")
    streams: set[asyncio.Event] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def wake(self) -> None:
        self.stale = True
        for wakeup in self.streams:
            wakeup.set()

    def needs_read(self) -> bool:
        return self.stale or time.monotonic() - self.read_at >= wait_seconds()

    async def after(self, position: int, read: Reader) -> tuple[list[Message], int]:
        """The messages after ``position`` and the position they bring the stream to.

        The position may pass the last message's id: a stream that read its own catch-up
        has seen every row up to the feed's cursor, whether or not one matched.
        """
        if position >= self.since and self.needs_read():
            async with self.lock:
                if self.needs_read():  # nobody read while we waited for the lock
                    await self._read(read)
        if position < self.since:  # (the read may have trimmed what we had yet to see)
            cursor = self.cursor  # read before the catch-up: every row up to it is committed
            messages = await read(position)
            if len(messages) >= PAGE_SIZE:
                return messages, messages[-1][0]
            return messages, max(messages[-1][0] if messages else position, cursor)
        messages = self.recent[bisect_right(self.ids, position) :]
        return messages, max(position, self.cursor)

    async def _read(self, read: Reader) -> None:
        self.stale = False  # before reading: a wake-up during the read calls for another one
        self.read_at = time.monotonic()
        try:
            messages = await read(self.cursor)
        except BaseException:  # the reader failed or left: another stream must read instead
            self.wake()
            raise
        if not messages:
            return
        self.recent += messages
        self.ids += [event_id for event_id, _ in messages]
        self.cursor = messages[-1][0]
        for wakeup in self.streams:  # those that looked while we read have yet to see these
            wakeup.set()
        if len(messages) >= PAGE_SIZE:
            self.stale = True  # a full page: there may be more
        if len(self.recent) > 2 * RECENT_MESSAGES:  # trimmed now and then, not per read
            excess = len(self.recent) - RECENT_MESSAGES
            self.since = self.ids[excess - 1]
            del self.recent[:excess], self.ids[:excess]


@dataclass
class Subscription:
    """One stream's place in its feed: wait for a wake-up, then ask for what is new."""

    feed: Feed
    wakeup: asyncio.Event

    async def wait(self, timeout: float) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self.wakeup.wait(), timeout=timeout)

    async def after(self, position: int, read: Reader) -> tuple[list[Message], int]:
        self.wakeup.clear()  # before reading, so a commit during the read wakes us again
        return await self.feed.after(position, read)


class Hub:
    """The feeds of one event loop, by project, and the listener that wakes them."""

    def __init__(self) -> None:
        self._feeds: dict[int, dict[Hashable, Feed]] = {}
        self._listener: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def subscription(
        self, project_id: int, key: Hashable, position: int
    ) -> AsyncIterator[Subscription]:
        """Join the feed of ``project_id`` for filters ``key`` (made at ``position`` if new)."""
        feeds = self._feeds.setdefault(project_id, {})
        feed = feeds.get(key)
        if feed is None:
            feed = feeds[key] = Feed(cursor=position, since=position)
        wakeup = asyncio.Event()
        feed.streams.add(wakeup)
        if is_postgresql() and (self._listener is None or self._listener.done()):
            self._listener = asyncio.create_task(self._listen(), name="zbut-online-listener")
        try:
            yield Subscription(feed, wakeup)
        finally:
            await self._leave(project_id, key, feed, wakeup)

    async def _leave(
        self, project_id: int, key: Hashable, feed: Feed, wakeup: asyncio.Event
    ) -> None:
        feed.streams.discard(wakeup)
        feeds = self._feeds.get(project_id, {})
        if not feed.streams and feeds.get(key) is feed:
            del feeds[key]
        if not feeds:
            self._feeds.pop(project_id, None)
        if not self._feeds and self._listener is not None:
            self._listener.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None

    def projects(self) -> set[int]:
        """The projects that have a stream in this event loop."""
        return set(self._feeds)

    def wake(self, projects: set[int] | None = None) -> None:
        """Mark the feeds of ``projects`` (all of them when None) stale and wake their streams."""
        for project_id, feeds in list(self._feeds.items()):
            if projects is None or project_id in projects:
                for feed in feeds.values():
                    feed.wake()

    async def _listen(self) -> None:
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    **_conninfo(), autocommit=True
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.wake()  # anything committed while we were not listening
                    async for notification in conn.notifies():
                        self.wake(project_ids(notification.payload))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the listener must outlive a database restart
                logger.warning("online_listener=reconnecting error=%s", type(error).__name__)
                await asyncio.sleep(RECONNECT_SECONDS)


def _conninfo() -> dict[str, object]:
    settings = connections["default"].settings_dict
    params = {
        "dbname": settings["NAME"],
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
        "host": settings.get("HOST") or None,
        "port": settings.get("PORT") or None,
    }
    return {key: value for key, value in params.items() if value is not None}


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def hub() -> Hub:
    """The hub of the running event loop (uvicorn has one per process; tests make several)."""
    loop = asyncio.get_running_loop()
    for other in [other for other in _hubs if other.is_closed()]:
        del _hubs[other]
    return _hubs.setdefault(loop, Hub())
