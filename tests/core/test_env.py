"""Settings are read strictly: a typo in the environment stops the start, not a request."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from zbut.core.env import cache_settings, email_settings, env_bool, env_int, env_str


def test_booleans_accept_true_and_false_only(monkeypatch):
    monkeypatch.setenv("ZBUT_FLAG", "TRUE")
    assert env_bool("ZBUT_FLAG", False) is True
    monkeypatch.setenv("ZBUT_FLAG", "off")
    assert env_bool("ZBUT_FLAG", True) is False
    monkeypatch.setenv("ZBUT_FLAG", "tru")
    with pytest.raises(ImproperlyConfigured, match="ZBUT_FLAG"):
        env_bool("ZBUT_FLAG", False)


def test_integers_must_be_integers(monkeypatch):
    monkeypatch.setenv("ZBUT_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="ZBUT_N"):
        env_int("ZBUT_N", 1)


def test_a_secret_may_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("ZBUT_SECRET_FILE", str(secret))
    assert env_str("ZBUT_SECRET", "default") == "from-a-file"


def test_email_url_forms():
    assert email_settings("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    smtp = email_settings("smtp+tls://user%40x.ua:p%40ss@mail.x.ua?timeout=5")
    assert smtp["EMAIL_HOST"] == "mail.x.ua"
    assert smtp["EMAIL_PORT"] == 587
    assert smtp["EMAIL_HOST_USER"] == "user@x.ua"
    assert smtp["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert smtp["EMAIL_USE_TLS"] is True
    assert smtp["EMAIL_TIMEOUT"] == 5
    assert email_settings("smtps://mail.x.ua")["EMAIL_USE_SSL"] is True
    with pytest.raises(ImproperlyConfigured):
        email_settings("pigeon://roof")


def test_cache_url_forms(tmp_path):
    shared = cache_settings("", default_dir=tmp_path)  # the default: processes of one machine
    assert shared == {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path),
    }
    assert cache_settings("file:///srv/zbut/cache", default_dir=tmp_path)["LOCATION"] == (
        "/srv/zbut/cache"
    )
    redis = cache_settings("redis://127.0.0.1:6379/3", default_dir=tmp_path)
    assert redis["BACKEND"].endswith("RedisCache")
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/3"
    assert cache_settings("locmem://", default_dir=tmp_path)["BACKEND"].endswith("LocMemCache")
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        cache_settings("memcached://x", default_dir=tmp_path)
