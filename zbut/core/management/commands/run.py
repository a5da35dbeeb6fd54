"""`zbut run`: the web server (uvicorn, ASGI) and task workers, stopped together on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command

from zbut.core.commands import ZbutCommand

STOP_GRACE_SECONDS = 10


class Command(ZbutCommand):
    help = "Run the web server and task workers until Ctrl-C or SIGTERM."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-processes", type=int, default=1)
        parser.add_argument("--workers", type=int, default=1, help="task worker processes")
        parser.add_argument(
            "--demo", action="store_true", help="print the demo logins once the server is up"
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        web_processes: int,
        workers: int,
        demo: bool,
        **options: Any,
    ) -> None:
        if web_processes < 1 or workers < 0:
            raise self.fail("--web-processes must be at least 1 and --workers at least 0")
        children = [self._start_web(host, port, web_processes)]
        children += [self._start_worker() for _ in range(workers)]
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        url = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"Zbut is running at {url}  (Ctrl-C stops it)"))
        if demo:  # by name: core sits below the demo app and does not import it
            call_command("demo_logins", url=url, stdout=self.stdout)
        while not stopping:
            if any(child.poll() is not None for child in children):
                self.stderr.write("a child process stopped; stopping the rest")
                break
            time.sleep(0.5)
        self._stop(children)

    def _start_web(self, host: str, port: int, processes: int) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "zbut.asgi:application",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(processes),
            "--lifespan",
            "off",  # Django has no ASGI lifespan; uvicorn would log that it is unsupported
            "--no-access-log" if not settings.DEBUG else "--access-log",
        ]
        return subprocess.Popen(command)

    def _start_worker(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "zbut.cli", "worker", "--no-reload", "--verbosity", "0"]
        )

    def _stop(self, children: list[subprocess.Popen[bytes]]) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("stopped")
