"""The screens: dashboards per role and the client's cabinet."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "zbut.portal"
    label = "portal"
    verbose_name = _("Кабінет")
