"""What a benchmark says beside its figures: a line ``  (…)`` on stderr, so that stdout holds
the figures alone, one ``name: value unit`` each."""

from __future__ import annotations

import sys


def note(text: str) -> None:
    sys.stderr.write(f"  ({text})\n")
    sys.stderr.flush()
