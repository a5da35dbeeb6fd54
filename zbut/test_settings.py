"""Settings for the test suite: fast hashing, mail kept in memory, tasks run in-process."""

import os

from zbut.settings import *  # noqa: F403
from zbut.settings import DATABASES

ENVIRONMENT = "test"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# One process per test worker: its own cache, so parallel workers never share counts.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ZBUT_HISTORY_PURGE_ALLOWED = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The append-only trigger lets a session that sets this purge (test flushes only).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c zbut.history_purge=on"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: threads and WAL behave as in production.
    DATABASES["default"]["TEST"] = {
        "NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")  # noqa: F405
    }
