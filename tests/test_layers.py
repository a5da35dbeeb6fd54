"""Imports run down the layers of ARCHITECTURE.md, never up (and never sideways against the
one-way arrows inside layer 4): checked on every module's import statements, so a new one that
climbs fails here rather than in review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "zbut"
LAYERS = {
    "core": 0,
    "accounts": 1,
    "projects": 1,
    "history": 2,
    "bases": 3,
    "desk": 4,
    "outreach": 4,
    "telephony": 4,
    "handoff": 4,
    "reports": 5,
    "portal": 6,
    "api": 6,
    "demo": 7,  # builds a whole demo agency through every app's services
}
# Inside a layer, the one-way arrows (importer → imported): ARCHITECTURE.md's desk → handoff
# and telephony → desk; a project belongs to a client; the desk asks outreach's do-not-contact
# list (invariant 4) before it offers or records a company.
SIDEWAYS = {
    ("desk", "handoff"),
    ("telephony", "desk"),
    ("projects", "accounts"),
    ("desk", "outreach"),
}
# history (layer 2) imports nothing above core at run time (it names companies, clients and
# projects by string), so the services of layer 1 record their own events through it.
DOWNWARD_EXCEPTIONS = {("accounts", "history"), ("projects", "history")}
TOP_LEVEL = {
    "__init__",
    "settings",
    "test_settings",
    "urls",
    "asgi",
    "wsgi",
    "cli",
    "locale",
    "templates",
}


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "zbut" else None


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def modules() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_down_the_layers(path: Path) -> None:
    app = path.relative_to(ROOT).parts[0]
    if app.removesuffix(".py") in TOP_LEVEL:
        return
    assert app in LAYERS, f"{app}: a new app needs its layer in ARCHITECTURE.md and here"
    for module in imports_of(path):
        other = app_of(module)
        if other is None or other == app or other in TOP_LEVEL:
            continue
        allowed = (
            LAYERS[other] < LAYERS[app]
            or (app, other) in SIDEWAYS
            or (app, other) in DOWNWARD_EXCEPTIONS
        )
        where = f"{path.relative_to(ROOT)} imports {module}"
        assert allowed, f"{where}: layer {LAYERS[app]} → {LAYERS[other]}"
