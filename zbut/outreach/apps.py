"""Offers (КП), e-mail and SMS campaigns, contact forms and boards, do-not-contact."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "zbut.outreach"
    label = "outreach"
    verbose_name = _("Машинна обробка")
