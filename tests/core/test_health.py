"""/healthz tells a load balancer whether the database and a task worker are alive."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from zbut.core.health import beat, start_heartbeat
from zbut.core.models import WorkerHeartbeat


def test_healthz_is_503_when_no_worker_has_beaten(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "database": "ok",
        "worker": "down",
        "last_worker_beat": None,
    }


def test_healthz_is_200_with_a_fresh_heartbeat(client, db):
    beat(worker_id="w1", started_at=timezone.now())
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_is_503_when_the_last_beat_is_stale(client, db, settings):
    beat(worker_id="w1", started_at=timezone.now())
    stale = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE + 1)
    WorkerHeartbeat.objects.update(beat_at=stale)
    assert client.get(reverse("healthz")).json()["worker"] == "down"


class _DownDatabase:
    def cursor(self):
        raise OperationalError("connection refused")


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    monkeypatch.setattr("zbut.core.health.connection", _DownDatabase())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_heartbeat_thread_beats_until_stopped(transactional_db, settings):
    settings.WORKER_HEARTBEAT_SECONDS = 0.05
    stop = threading.Event()
    thread = start_heartbeat(worker_id="w-thread", stop=stop)
    deadline = timezone.now() + timedelta(seconds=5)
    while not WorkerHeartbeat.objects.filter(worker_id="w-thread").exists():
        assert timezone.now() < deadline
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
