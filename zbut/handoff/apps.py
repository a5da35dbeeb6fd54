"""Transfer of leads to clients: Bitrix24, signed webhooks, notifications."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoffConfig(AppConfig):
    name = "zbut.handoff"
    label = "handoff"
    verbose_name = _("Передача лідів")
