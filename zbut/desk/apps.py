"""The manager's call desk: queue, attempts, outcomes, callbacks, processing cycles."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "zbut.desk"
    label = "desk"
    verbose_name = _("Робоче місце менеджера")
