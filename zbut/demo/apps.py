"""The demo agency loaded by `zbut demo-data`."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "zbut.demo"
    label = "demo"
    verbose_name = _("Демо")
