"""PBX adapters, calls, recordings and consent, PhoneCRM tracking numbers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    name = "zbut.telephony"
    label = "telephony"
    verbose_name = _("Телефонія")
