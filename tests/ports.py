"""Local ports for the servers tests start (uvicorn, SMTP)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on right now, on the loopback address."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
