"""Chart.js configuration of the growth chart (drawn by static/zbut/js/charts.js)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zbut.reports.figures import PhaseGrowth

FIRST_TIME_COLOUR = "#3a86ff"
REPROCESSED_COLOUR = "#2a9d8f"


def growth_chart(growth: list[PhaseGrowth]) -> dict[str, Any]:
    """Positive companies per phase, stacked: first processing below, re-processing above."""
    return {
        "type": "stacked",
        "labels": [_("Фаза %(number)s") % {"number": row.number} for row in growth],
        "datasets": [
            {
                "label": _("Перше опрацювання"),
                "data": [row.first_time for row in growth],
                "backgroundColor": FIRST_TIME_COLOUR,
            },
            {
                "label": _("Повторне опрацювання передзвонів"),
                "data": [row.reprocessed for row in growth],
                "backgroundColor": REPROCESSED_COLOUR,
            },
        ],
    }
