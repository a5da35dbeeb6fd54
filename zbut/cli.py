"""The `zbut` command line: Django's management commands under one entry point.

Commands are written with hyphens (`zbut demo-data`), as people type them; Django's
command modules use underscores, so the first argument is translated.
"""

from __future__ import annotations

import gc
import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run one command; called with no ``argv``, as the program, it also ends the process."""
    as_program = argv is None
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zbut.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    if as_program:
        spare_the_final_collections()


def spare_the_final_collections() -> None:
    """Let the interpreter's shutdown skip its garbage collections over what dies with it.

    Shutting down, Python clears its ~900 modules (Django's, the drivers') with a collection
    after each step, every one walking all the objects still alive: 0.15 s of every command's
    run, a twentieth of a 100 000-row import. One collection now finalises the garbage there
    is (an unclosed file in a cycle is still flushed), then the survivors are frozen out of
    the later ones; the modules are still cleared and their objects freed as before.
    """
    gc.collect()
    gc.freeze()


if __name__ == "__main__":
    main()
