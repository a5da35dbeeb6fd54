"""`zbut run` (what `make demo` starts): web server and worker up together, down on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.ports import free_port

pytestmark = pytest.mark.xdist_group("subprocess-servers")


def _zbut_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        ZBUT_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="zbut.settings",
        ENVIRONMENT="development",
        WORKER_HEARTBEAT_SECONDS="1",
    )
    return env


def _health(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def test_run_starts_web_and_worker_and_stops_both_on_ctrl_c(tmp_path):
    env = _zbut_env(tmp_path)
    zbut = [sys.executable, "-m", "zbut.cli"]
    subprocess.run([*zbut, "migrate", "-v", "0"], env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [*zbut, "run", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        status, deadline = None, time.monotonic() + 60
        while status != 200 and time.monotonic() < deadline:
            time.sleep(0.3)
            status = _health(f"http://127.0.0.1:{port}/healthz")
        assert status == 200, "web server up and worker heartbeat seen"
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0].decode()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    assert f"http://127.0.0.1:{port}/" in output
    assert "stopped" in output
    assert _health(f"http://127.0.0.1:{port}/healthz") is None
    leftover = subprocess.run(
        ["pgrep", "-g", str(server.pid)], capture_output=True, text=True, check=False
    )
    assert leftover.stdout.strip() == "", "no child process outlives zbut run"


def test_bad_arguments_print_one_line_and_exit_2(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zbut.cli",
            "create-project",
            "--client",
            "x",
            "--slug",
            "y",
            "--kind",
            "forever",
            "--name",
            "Z",
        ],
        env=_zbut_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "forever" in result.stderr
