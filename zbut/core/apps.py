from django.apps import AppConfig

OUTBOX_SWEEP_SECONDS = 15


class CoreConfig(AppConfig):
    name = "zbut.core"
    label = "core"
    verbose_name = "Zbut core"

    def ready(self) -> None:
        from zbut.core import db_functions, mail, outbox, periodic

        db_functions.connect()
        del mail  # imported for its outbox handler
        periodic.register(periodic.Job("outbox-sweep", OUTBOX_SWEEP_SECONDS, outbox.sweep))
