"""Transfer of leads to clients: Bitrix24, signed webhooks, notifications."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

ALERT_EVERY_SECONDS = 60


class HandoffConfig(AppConfig):
    name = "zbut.handoff"
    label = "handoff"
    verbose_name = _("Передача лідів")

    def ready(self) -> None:
        from zbut.core import periodic
        from zbut.handoff.alerts import alert_failing_destinations
        from zbut.handoff.delivery import register_handlers

        register_handlers()
        periodic.register(
            periodic.Job("outbox-alerts", ALERT_EVERY_SECONDS, alert_failing_destinations)
        )
