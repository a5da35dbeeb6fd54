"""Waking the Data Base ONLINE streams when their project gets new events.

On PostgreSQL one listener per process (an asyncio task holding one psycopg connection with
``LISTEN zbut_history``) fans each notification out to the streams of the projects it names:
every stream has an ``asyncio.Event`` it waits on, and reads the new rows itself. The listener
starts with the first stream of its event loop and stops with the last one. On SQLite there is
nothing to listen to: a stream's wait simply times out after ``SQLITE_POLL_SECONDS`` and it
reads again. A stream also re-reads after ``SAFETY_POLL_SECONDS`` on PostgreSQL, so a
notification lost while the listener reconnects delays a row, never loses it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from django.db import connections

from zbut.history.notify import CHANNEL, project_ids

logger = logging.getLogger(__name__)

SQLITE_POLL_SECONDS = 0.2
SAFETY_POLL_SECONDS = 5.0
RECONNECT_SECONDS = 1.0


def is_postgresql() -> bool:
    return connections["default"].vendor == "postgresql"


def wait_seconds() -> float:
    """How long a stream waits for a wake-up before it reads again anyway."""
    return SAFETY_POLL_SECONDS if is_postgresql() else SQLITE_POLL_SECONDS


class Hub:
    """The streams of one event loop, by project, and the listener that wakes them."""

    def __init__(self) -> None:
        self._streams: dict[int, set[asyncio.Event]] = {}
        self._listener: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def subscription(self, project_id: int) -> AsyncIterator[asyncio.Event]:
        wakeup = asyncio.Event()
        self._streams.setdefault(project_id, set()).add(wakeup)
        if is_postgresql() and (self._listener is None or self._listener.done()):
            self._listener = asyncio.create_task(self._listen(), name="zbut-online-listener")
        try:
            yield wakeup
        finally:
            streams = self._streams.get(project_id, set())
            streams.discard(wakeup)
            if not streams:
                self._streams.pop(project_id, None)
            if not self._streams and self._listener is not None:
                self._listener.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    await self._listener
                self._listener = None

    def wake(self, projects: set[int] | None = None) -> None:
        """Wake the streams of ``projects`` (all of them when None)."""
        for project_id, streams in list(self._streams.items()):
            if projects is None or project_id in projects:
                for wakeup in streams:
                    wakeup.set()

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
