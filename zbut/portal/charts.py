"""Chart.js configurations built from report figures.

The page embeds them with ``json_script`` and ``static/zbut/js/charts.js`` draws them, so
no inline script is needed and the figures on the chart are the ones in the table beside it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zbut.reports.selectors import FunnelStep, OutcomeShare

OUTSIDE_NORM_BORDER = "#111827"
NORM_BAND_COLOUR = "rgba(17, 24, 39, 0.18)"


def distribution_chart(shares: list[OutcomeShare]) -> dict[str, Any]:
    """A bar per outcome (its share, in its colour) beside the norm's range.

    Outcomes outside their norm get a dark, thick border and a hatched look via the
    ``outside`` flags that charts.js reads, so the eye finds them first.
    """
    return {
        "type": "bar",
        "labels": [share.label for share in shares],
        "datasets": [
            {
                "label": _("Частка, %"),
                "data": [float(share.share) for share in shares],
                "backgroundColor": [share.colour for share in shares],
                "borderColor": [
                    OUTSIDE_NORM_BORDER if share.is_outside_norm else share.colour
                    for share in shares
                ],
                "borderWidth": [3 if share.is_outside_norm else 1 for share in shares],
            },
            {
                "label": _("Норма, %"),
                "data": [[float(share.norm.low), float(share.norm.high)] for share in shares],
                "backgroundColor": NORM_BAND_COLOUR,
                "borderColor": NORM_BAND_COLOUR,
                "borderWidth": 1,
            },
        ],
        "outside": [share.is_outside_norm for share in shares],
        "unit": "%",
    }


def funnel_chart(steps: list[FunnelStep]) -> dict[str, Any]:
    """A horizontal bar per funnel step, widest first, so it reads as a funnel."""
    palette = ["#94a3b8", "#3a86ff", "#2a9d8f", "#f77f00", "#d62828"]
    return {
        "type": "funnel",
        "labels": [str(step.label) for step in steps],
        "datasets": [
            {
                "label": _("Компаній"),
                "data": [step.count for step in steps],
                "backgroundColor": palette[: len(steps)],
            }
        ],
    }
