"""Funnel against the norms, phase growth, productivity, exports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "zbut.reports"
    label = "reports"
    verbose_name = _("Звіти")
