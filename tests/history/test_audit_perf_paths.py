"""The fast paths of appending and of `zbut audit verify` give the plain answers.

Appending writes rows itself (executemany / COPY) and hashes in one loop; verification cuts
chains into units checked apart (in worker processes for big histories), hashes material the
database builds, and re-checks the plain way whenever a fast hash does not match. Each test
holds the fast path against the plain computation (``event_hash``) or against a plain,
sequential walk written here as the reference.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.db import connection, transaction

from zbut.history.audit import BrokenEvent, ChainReport, verify_chains
from zbut.history.hashing import (
    GENESIS_HASH,
    canonical_payload,
    canonical_time,
    event_hash,
)
from zbut.history.models import ChainHead, Event, EventKind, project_chain
from zbut.history.services import NewEvent, record_events

UNIT_SIZES = (1, 2, 3, 5, 8, 10_000)

PAYLOADS = [
    {"outcome": "callback", "note": "Просили передзвонити після 15-го", "phase": 2},
    {"b": [1, 2.5, {"z": None, "a": "Ї"}], "a": 'лапки " і \\ та \n рядок'},
    {},
    {"amount": 12.75, "tiny": 0.1, "neg": -3, "ok": True, "emoji": "👍"},
    {"ключ": "значення", "Key": "x", "key": "y", "k": {"nested": {"deep": [[]]}}},
]


def _plain_verify(chains: list[str] | None = None) -> ChainReport:
    """The reference: one ORM walk per chain, event_hash of each event's fields."""
    heads = {h.chain: h for h in ChainHead.objects.all()}
    chains = sorted(heads) if chains is None else chains
    total = 0
    for chain in chains:
        expected_seq, expected_prev, checked = 1, GENESIS_HASH, 0
        for event in Event.objects.filter(chain=chain).order_by("seq"):
            broken = None
            if event.seq != expected_seq:
                reason = f"sequence gap: expected #{expected_seq}, found #{event.seq}"
                broken = BrokenEvent(chain, expected_seq, event.pk, reason)
            elif event.prev_hash != expected_prev:
                broken = BrokenEvent(chain, event.seq, event.pk, "previous hash does not match")
            elif _plain_hash(event) != event.hash:
                broken = BrokenEvent(chain, event.seq, event.pk, "content does not match its hash")
            if broken is not None:
                return ChainReport(len(chains), total + checked, broken)
            expected_seq, expected_prev, checked = event.seq + 1, event.hash, checked + 1
        total += checked
        head = heads.get(chain)
        if head is not None and head.seq != checked:
            reason = f"chain head says #{head.seq} but the last event is #{checked}"
            return ChainReport(len(chains), total, BrokenEvent(chain, head.seq, 0, reason))
        if head is not None and head.hash != expected_prev:
            reason = "chain head's hash is not the last event's"
            return ChainReport(len(chains), total, BrokenEvent(chain, head.seq, 0, reason))
    return ChainReport(len(chains), total, None)


def _plain_hash(event: Event) -> str:
    return event_hash(
        prev_hash=event.prev_hash,
        chain=event.chain,
        seq=event.seq,
        kind=event.kind,
        client_id=event.client_id,
        project_id=event.project_id,
        company_id=event.company_id,
        actor_id=event.actor_id,
        occurred_at=event.occurred_at,
        payload_json=canonical_payload(event.payload),
    )


def _assert_every_unit_size_agrees(chains: list[str] | None = None) -> ChainReport:
    expected = _plain_verify(chains)
    for size in UNIT_SIZES:
        assert verify_chains(chains=chains, workers=1, unit_events=size) == expected, size
    return expected


def _tamper(*statements: str) -> None:
    """Change rows around the append-only triggers, as an attacker with the database would."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER history_event_refuse_update")
            for sql in statements:
                cursor.execute(sql)
            from zbut.history.triggers import SQLITE_INSTALL

            cursor.execute(SQLITE_INSTALL[0])
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")
            for sql in statements:
                cursor.execute(sql)


@pytest.fixture
def chain(world) -> str:
    """Project A's chain with 40 more events of every payload shape, some with own times."""
    kyiv = timezone(timedelta(hours=2))
    drafts = [
        NewEvent(
            kind=EventKind.OUTCOME if i % 2 else EventKind.NOTE,
            payload=PAYLOADS[i % len(PAYLOADS)],
            actor_id=world.manager.pk if i % 3 else None,
            occurred_at=(
                None
                if i % 4 == 0
                else datetime(2026, 3, 1, 9, 0, i, i * 1000 if i % 5 else 0, tzinfo=kyiv)
            ),
        )
        for i in range(40)
    ]
    with transaction.atomic():
        record_events(project=world.project_a, drafts=drafts[:25])
        record_events(project=world.project_a, drafts=drafts[25:])
    return project_chain(world.project_a.pk)


def _event(chain: str, seq: int) -> Event:
    return Event.objects.get(chain=chain, seq=seq)


# --- appending ------------------------------------------------------------------------------


def test_appended_events_hash_as_event_hash_says(chain):
    events = list(Event.objects.filter(chain=chain).order_by("seq"))
    assert len(events) > 40
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
        assert after.hash == _plain_hash(after)


def test_returned_events_are_the_saved_rows(world):
    at = datetime(2026, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)
    drafts = [
        NewEvent(kind=EventKind.NOTE, payload=PAYLOADS[i % len(PAYLOADS)], occurred_at=at)
        for i in range(7)
    ]
    with transaction.atomic():
        returned = record_events(project=world.project_b, drafts=drafts)
    assert [e.seq for e in returned] == list(range(returned[0].seq, returned[0].seq + 7))
    for event, draft in zip(returned, drafts, strict=True):
        assert not event._state.adding
        assert event._state.db == "default"
        saved = Event.objects.get(pk=event.pk)
        assert (saved.chain, saved.seq, saved.kind, saved.hash, saved.prev_hash) == (
            event.chain,
            event.seq,
            event.kind,
            event.hash,
            event.prev_hash,
        )
        assert saved.payload == draft.payload == event.payload
        assert saved.occurred_at == at == event.occurred_at
        assert (saved.client_id, saved.project_id) == (world.client_b.pk, world.project_b.pk)
    head = ChainHead.objects.get(chain=returned[0].chain)
    assert (head.seq, head.hash) == (returned[-1].seq, returned[-1].hash)


def test_canonical_time_is_strftimes_text():
    moments = [
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 7, 1, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=3))),
        datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        datetime(1, 1, 1, 12, tzinfo=UTC),
    ]
    for moment in moments:
        assert canonical_time(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_canonical_payload_is_json_dumps_canonical():
    for payload in PAYLOADS:
        assert canonical_payload(payload) == json.dumps(
            payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )


# --- verifying: units give the answer of one walk --------------------------------------------


def test_an_intact_history_verifies_in_any_units(chain):
    report = _assert_every_unit_size_agrees()
    assert report.is_intact
    assert report.events == Event.objects.count()


@pytest.mark.parametrize("seq", [1, 2, 17, 41])
@pytest.mark.parametrize(
    "change",
    [
        'payload = \'{"outcome": "interested"}\'',
        "kind = 'transfer'",
        "client_id = NULL",
        "occurred_at = '2020-01-01 00:00:00'",
        "prev_hash = '" + "1" * 64 + "'",
        "hash = '" + "2" * 64 + "'",
    ],
)
def test_a_changed_field_is_found_at_that_event_in_any_units(chain, seq, change):
    target = _event(chain, seq)
    _tamper(f"UPDATE history_event SET {change} WHERE id = {target.pk}")
    report = _assert_every_unit_size_agrees()
    assert report.broken is not None
    assert report.broken.chain == chain
    assert report.broken.seq in (seq, seq + 1)  # a changed hash breaks the next event's link


@pytest.mark.parametrize("seq", [1, 3, 4, 20, 41])
def test_a_removed_event_is_found_in_any_units(chain, seq):
    if seq > ChainHead.objects.get(chain=chain).seq:
        pytest.skip("no such event")
    target = _event(chain, seq)
    _tamper(f"DELETE FROM history_event WHERE id = {target.pk}")  # purge allowed in tests
    report = _assert_every_unit_size_agrees([chain])
    assert report.broken is not None
    assert report.broken.seq == seq or "chain head" in report.broken.reason


def test_reordered_events_are_found_in_any_units(chain):
    second, third = _event(chain, 6), _event(chain, 7)
    _tamper(
        f"UPDATE history_event SET seq = 1000000 WHERE id = {second.pk}",
        f"UPDATE history_event SET seq = 6 WHERE id = {third.pk}",
        f"UPDATE history_event SET seq = 7 WHERE id = {second.pk}",
    )
    report = _assert_every_unit_size_agrees()
    assert report.broken == BrokenEvent(chain, 6, third.pk, "previous hash does not match")


def test_an_inserted_event_is_found_in_any_units(chain, world):
    last = Event.objects.filter(chain=chain).order_by("-seq").first()
    forged = Event(
        chain=chain,
        seq=last.seq + 1,
        client_id=last.client_id,
        project_id=last.project_id,
        kind=EventKind.TRANSFER,
        payload={"forged": True},
        occurred_at=last.occurred_at,
        prev_hash=last.hash,
    )
    forged.hash = _plain_hash(forged)  # a well-made forgery: only the head gives it away
    forged.save()
    report = _assert_every_unit_size_agrees()
    assert report.broken is not None
    assert "chain head says" in report.broken.reason


def test_a_moved_chain_head_is_found(chain):
    ChainHead.objects.filter(chain=chain).update(hash="3" * 64)
    report = _assert_every_unit_size_agrees()
    assert report.broken is not None
    assert report.broken.reason == "chain head's hash is not the last event's"


def test_the_first_broken_of_many_chains_is_reported(chain, world):
    later = project_chain(world.project_b.pk)
    first = min(chain, later)
    second = max(chain, later)
    _tamper(
        f"UPDATE history_event SET kind = 'note' WHERE id = {_event(second, 1).pk}",
        f"UPDATE history_event SET kind = 'note' WHERE id = {_event(first, 2).pk}",
    )
    report = _assert_every_unit_size_agrees()
    assert report.broken is not None
    assert (report.broken.chain, report.broken.seq) == (first, 2)


def test_an_equal_payload_in_another_layout_is_intact(chain):
    """Rows written by earlier versions (Django's json.dumps layout) verify the plain way."""
    target = _event(chain, 5)
    layout = json.dumps(target.payload).replace("'", "''")
    _tamper(f"UPDATE history_event SET payload = '{layout}' WHERE id = {target.pk}")
    assert _assert_every_unit_size_agrees().is_intact


def test_an_equal_time_in_another_layout_is_intact(chain):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL stores a timestamptz, not text")
    target = _event(chain, 9)
    text = target.occurred_at.astimezone(UTC).isoformat()  # "…T…+00:00": not Django's layout
    _tamper(f"UPDATE history_event SET occurred_at = '{text}' WHERE id = {target.pk}")
    assert _assert_every_unit_size_agrees().is_intact


def test_a_time_that_is_no_time_is_broken_not_a_crash(chain):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL refuses such a value itself")
    target = _event(chain, 9)
    _tamper(f"UPDATE history_event SET occurred_at = 'yesterday' WHERE id = {target.pk}")
    report = verify_chains(workers=1, unit_events=4)
    assert report.broken == BrokenEvent(chain, 9, target.pk, "content does not match its hash")


# --- verifying with worker processes --------------------------------------------------------

PARALLEL_SCRIPT = textwrap.dedent(
    """
    import json, multiprocessing
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from zbut.accounts.services import create_client
    from zbut.history import audit
    from zbut.history.models import Event, EventKind, project_chain
    from zbut.history.services import NewEvent, record_events
    from zbut.history.triggers import SQLITE_INSTALL
    from zbut.projects.services import create_project

    call_command("migrate", verbosity=0)
    client = create_client(slug="c", name="C")
    projects = [
        create_project(client=client, slug=f"p{i}", kind="system", name=f"P{i}")
        for i in range(3)
    ]
    for project in projects:
        with transaction.atomic():
            record_events(project=project, drafts=[
                NewEvent(kind=EventKind.NOTE, payload={"n": i, "note": "Нотатка"})
                for i in range(120)
            ])

    forks = []
    real_context = audit.multiprocessing.get_context

    def spy(method):
        forks.append(method)
        return real_context(method)

    audit.multiprocessing.get_context = spy

    def both():
        sequential = audit.verify_chains(workers=1)
        parallel = audit.verify_chains(workers=2, unit_events=25, parallel_min_events=0)
        return [repr(sequential), repr(parallel)]

    def tamper(sql):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER history_event_refuse_update")
            cursor.execute("DROP TRIGGER history_event_refuse_delete")
            cursor.execute(sql)
            cursor.execute(SQLITE_INSTALL[0])
            cursor.execute(SQLITE_INSTALL[1])

    def event(project, seq):
        return Event.objects.get(chain=project_chain(project.pk), seq=seq).pk

    results = {"intact": both()}
    tamper(f"UPDATE history_event SET payload = '{{}}' WHERE id = {event(projects[2], 77)}")
    results["changed"] = both()
    tamper(f"DELETE FROM history_event WHERE id = {event(projects[1], 51)}")
    results["removed"] = both()
    results["forks"] = len(forks)
    print(json.dumps(results))
    """
)


def test_worker_processes_report_what_one_walk_reports(tmp_path: Path):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'history.sqlite3'}",
        ZBUT_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="zbut.settings",
        ENVIRONMENT="development",
    )
    done = subprocess.run(
        [sys.executable, "-c", PARALLEL_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert results["forks"] == 3  # every parallel run did use worker processes
    for case in ("intact", "changed", "removed"):
        sequential, parallel = results[case]
        assert sequential == parallel, case
    assert "broken=None" in results["intact"][0]
    assert "seq=77" in results["changed"][0]
    # The removed event comes first in the walk: project 1's chain sorts before project 2's.
    assert "seq=51" in results["removed"][0]
