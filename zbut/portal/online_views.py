"""Data Base ONLINE: the table (a plain view) and its live stream (an async SSE view).

The stream sends each new row as an SSE message whose ``id:`` is the event id, so a browser
that reconnects sends ``Last-Event-ID`` and gets everything after it, filtered as its table is.
Streams of one project with the same filters share their reads (``zbut.portal.live.Feed``):
a row is read and rendered once per process, then sent to each of them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation

from zbut.accounts.models import Membership
from zbut.portal import online
from zbut.portal.live import Message, hub, wait_seconds
from zbut.portal.online_forms import OnlineFilterForm
from zbut.projects.models import Project
from zbut.projects.selectors import project_for

HEARTBEAT_SECONDS = 15.0
RETRY_MS = 2000
ROW_TEMPLATE = "portal/_online_row.html"


@login_required
def online_table(request: HttpRequest, slug: str) -> HttpResponse:
    """The table: filters, today's counters, one keyset page; 404 for a project one may not see."""
    project, form = _project_and_form(request.membership, slug, request.GET)  # type: ignore[attr-defined]
    page = None
    if form.is_valid():
        page = online.online_page(
            project=project, filters=form.filters(), before=form.cleaned_data.get("before")
        )
    context = {
        "project": project,
        "form": form,
        "page": page,
        "query": form.query_without_cursor(),
        "is_first_page": not request.GET.get("before"),
        "last_event_id": online.last_event_id(project=project),
    }
    return render(request, "portal/online.html", context)


@login_required
async def online_stream(request: HttpRequest, slug: str) -> HttpResponse:
    """The table's new rows as Server-Sent Events, from ``Last-Event-ID`` on."""
    membership = request.membership  # type: ignore[attr-defined]
    project, form = await sync_to_async(_project_and_form)(membership, slug, request.GET)
    if not await sync_to_async(form.is_valid)():
        return HttpResponseBadRequest("invalid filters", content_type="text/plain")
    resume = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id") or ""
    if resume and not resume.isdigit():
        return HttpResponseBadRequest("invalid Last-Event-ID", content_type="text/plain")
    after_id = int(resume) if resume else await sync_to_async(online.last_event_id)(project=project)
    # The session, the user and these checks opened this request thread's connection; a stream
    # lives for hours, so give it back now (reads take one only while reading).
    await sync_to_async(_release_connection)()
    response = StreamingHttpResponse(
        _messages(project, form.filters(), after_id, translation.get_language()),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx must not buffer the stream
    return response


def _project_and_form(
    membership: Membership | None, slug: str, data: Any
) -> tuple[Project, OnlineFilterForm]:
    if membership is None:
        raise Http404
    try:
        project = project_for(membership=membership, slug=slug)
    except Project.DoesNotExist:
        raise Http404 from None
    form = OnlineFilterForm(data, choices=online.filter_choices(project=project))
    return project, form


async def _messages(
    project: Project, filters: online.OnlineFilters, after_id: int, language: str | None = None
) -> AsyncIterator[bytes]:
    """New rows as they come, a heartbeat comment when quiet; ends when the client leaves."""
    yield f"retry: {RETRY_MS}\n\n".encode()
    language = language or settings.LANGUAGE_CODE

    async def read(after: int) -> list[Message]:
        async with _readers():
            return await sync_to_async(_rendered_after)(project, filters, after, language)

    position = after_id  # every row up to here was sent (or does not match the filters)
    quiet_since = time.monotonic()
    # A feed's rows are rendered once for all its streams: they must share the language too.
    feed_key = (filters, language)
    async with hub().subscription(project.pk, feed_key, after_id) as subscription:
        while True:
            batch, position = await subscription.after(position, read)
            for _, message in batch:
                yield message
            if batch:
                quiet_since = time.monotonic()
                continue  # more may have come while the client took these
            quiet = time.monotonic() - quiet_since
            await subscription.wait(max(0.0, min(wait_seconds(), HEARTBEAT_SECONDS - quiet)))
            if time.monotonic() - quiet_since >= HEARTBEAT_SECONDS:
                yield b": heartbeat\n\n"
                quiet_since = time.monotonic()


# Reads of a process's streams at once (shared feed reads and catch-ups alike), so 200 viewers
# never hold more database connections than this per process.
CONCURRENT_READS = 16
_read_slots: dict[int, asyncio.Semaphore] = {}


def _readers() -> asyncio.Semaphore:
    """The read slots of the running event loop (a semaphore belongs to one loop)."""
    loop_id = id(asyncio.get_running_loop())
    if loop_id not in _read_slots:
        _read_slots[loop_id] = asyncio.Semaphore(CONCURRENT_READS)
    return _read_slots[loop_id]


def _release_connection() -> None:
    if not connection.in_atomic_block:
        connection.close()


def _rendered_after(
    project: Project, filters: online.OnlineFilters, after_id: int, language: str
) -> list[Message]:
    try:
        with translation.override(language):
            rows = online.online_rows_after(project=project, filters=filters, after_id=after_id)
            today = timezone.localdate()
            return [(row.event_id, _message(row, today)) for row in rows]
    finally:
        # A stream reads in its request's own thread: holding that thread's connection for
        # the stream's lifetime would take one PostgreSQL connection per viewer (200 viewers
        # exhaust max_connections). A connection is held only while reading.
        _release_connection()


def _message(row: online.OnlineRow, today: Any) -> bytes:
    data = {
        "id": row.event_id,
        "kind": row.kind,
        "is_call": row.is_call,
        "today": timezone.localdate(row.occurred_at) == today,
        "html": render_to_string(ROW_TEMPLATE, {"row": row}).strip(),
    }
    payload = json.dumps(data, ensure_ascii=False)
    return f"id: {row.event_id}\nevent: row\ndata: {payload}\n\n".encode()
