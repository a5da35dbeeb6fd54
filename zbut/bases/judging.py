"""Judging the rows of a base, in order: in this process, or in forked worker processes.

A big file's rows are normalised (``importing.RowJudge``) by one worker process per CPU, a
chunk at a time, while the parent reads the file and places the judged rows (dedup stays in
one process, in file order, so the plan is the same either way).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from zbut.bases.packed_fields import PackedCells, packed, unpacked
from zbut.bases.phones import warm_up as warm_up_phones

if TYPE_CHECKING:
    from zbut.bases.importing import Judged, RowJudge

CHUNK_ROWS = 2000  # rows a worker judges at a time: big enough to make a pickle worth it
CHUNK_TIMEOUT_S = 300  # a chunk takes well under a second; a worker gone would hang us


# A judged row: its number, its cells packed (a plan keeps those of every rejected or merged
# row), and what the judge made of it.
JudgedRow = tuple[int, PackedCells, "Judged"]


def judged(rows: Iterable[list[str]], judge: RowJudge) -> Iterator[JudgedRow]:
    for row_number, cells in enumerate(rows, start=2):
        yield row_number, packed(cells), judge(cells)


_worker_judge: RowJudge | None = None  # set in the parent before the workers are forked


def _judge_chunk(chunk: list[PackedCells]) -> list[Judged]:
    judge = _worker_judge
    assert judge is not None
    return [judge(unpacked(cells)) for cells in chunk]


def judged_in_workers(
    rows: Iterable[list[str]], judge: RowJudge, workers: int
) -> Iterator[JudgedRow]:
    """``judged`` with the judging done by forked worker processes, in order.

    A few chunks are kept in flight per worker, so the file is read just ahead of the
    judging and never held whole. The workers are forked (they inherit the loaded code and
    the judge, nothing is imported again); they never touch the database connection they
    inherit, and end through ``os._exit``, so it is not closed under the parent's feet.
    """
    global _worker_judge
    _worker_judge = judge
    warm_up_phones()
    context = multiprocessing.get_context("fork")
    pool = context.Pool(processes=workers, initializer=_yield_to_the_writer)
    try:
        pending: deque = deque()
        row_number = 2
        for chunk in _chunks(rows, CHUNK_ROWS):
            # One string a row: the parent, which every row waits for, is the one that pickles.
            rows_packed = [packed(cells) for cells in chunk]
            result = pool.apply_async(_judge_chunk, (rows_packed,))
            pending.append((row_number, rows_packed, result))
            row_number += len(rows_packed)
            if len(pending) > 2 * workers:
                yield from _numbered(*pending.popleft())
        while pending:
            yield from _numbered(*pending.popleft())
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        _worker_judge = None


# The lowest priority there is. On PostgreSQL the parent shares the CPUs with the server's
# backend too, and the parent's GIL is what an import waits for: in three interleaved pairs
# a 100 000-row import took 0.15–0.28 s less at 19 than at 10 (no change on SQLite).
WORKER_NICENESS = 19


def _yield_to_the_writer() -> None:
    """Lower a worker's priority: the parent, which places and writes the rows, is the one
    every row waits for, so a worker takes only the CPU time the parent leaves."""
    os.nice(WORKER_NICENESS)


def _numbered(first_row: int, chunk: list[PackedCells], result: Any) -> Iterator[JudgedRow]:
    judged = result.get(timeout=CHUNK_TIMEOUT_S)  # a killed worker's chunk never comes back
    yield from zip(range(first_row, first_row + len(chunk)), chunk, judged, strict=True)


def _chunks(rows: Iterable[list[str]], size: int) -> Iterator[list[list[str]]]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk
