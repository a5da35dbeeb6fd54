"""The real server and browser every end-to-end test shares.

The server runs as subprocesses (uvicorn and a task worker, as in production) on a database of
its own: a temp SQLite file, or a fresh PostgreSQL database when the suite itself runs on
PostgreSQL. The browser is Debian's chromium; nothing is downloaded.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, sync_playwright

from tests.ports import free_port
from zbut.demo.logins import DEMO_LOGINS, DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DEMO_COMPANIES = "300"
SERVER_START_SECONDS = 60


def login_of(role: str) -> str:
    return next(login.email for login in DEMO_LOGINS if login.role == role)


def _postgres_url(name: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{name}"


def _postgres_admin(sql: str) -> None:
    """Run CREATE/DROP DATABASE on the suite's server (outside a transaction, as it must)."""
    import psycopg  # only needed on PostgreSQL

    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname="postgres",
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        autocommit=True,
    ) as connection:
        connection.execute(sql)


@pytest.fixture(scope="session")
def e2e_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A DATABASE_URL of a database nobody else uses, removed afterwards."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        name = f"zbut_e2e_{secrets.token_hex(4)}"
        _postgres_admin(f'CREATE DATABASE "{name}"')
        try:
            yield _postgres_url(name)
        finally:
            _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    path = tmp_path_factory.mktemp("e2e") / "zbut.sqlite3"
    yield f"sqlite:///{path}"


@pytest.fixture(scope="session")
def server_url(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate, load the demo agency and serve it with uvicorn; the URL it answers on."""
    var_dir = tmp_path_factory.mktemp("e2e-var")
    env = {
        **os.environ,
        "DATABASE_URL": e2e_database,
        "ENVIRONMENT": "development",
        "DJANGO_SETTINGS_MODULE": "zbut.settings",
        "ZBUT_VAR_DIR": str(var_dir),
        "EMAIL_URL": "console://",
    }
    zbut = str(VENV_BIN / "zbut")
    for command in (
        [zbut, "migrate", "--no-input", "-v", "0"],
        [zbut, "demo-data", "--companies", DEMO_COMPANIES],
    ):
        subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=600)
    port = free_port()
    log = (var_dir / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "zbut.asgi:application", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # The worker runs the tasks the pages enqueue (a base import), as `make demo` does.
    worker = subprocess.Popen(
        [sys.executable, "-m", "zbut.cli", "worker", "--no-reload", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_http(f"{url}/healthz", server)
        yield url
    finally:
        for process in (worker, server):
            _stop(process)
        log.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for_http(url: str, server: subprocess.Popen[bytes]) -> None:
    """Wait for any HTTP answer: /healthz says 503 while no worker runs, which is fine here."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} within {SERVER_START_SECONDS}s")


# Module scope, not session: Playwright's sync API leaves its event loop running in this thread
# while it is open, and every later test on this worker that calls async_to_sync would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def sign_in(
    browser: Browser, server_url: str, email: str, viewport: dict[str, int] = LAPTOP
) -> tuple[Page, list[str]]:
    """A fresh browser context signed in as ``email``, and the page's JavaScript errors."""
    context = browser.new_context(viewport=viewport, locale="uk-UA")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server_url}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form[action$='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page, errors


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
