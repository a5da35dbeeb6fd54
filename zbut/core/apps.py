from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zbut.core"
    label = "core"
    verbose_name = "Zbut core"

    def ready(self) -> None:
        from zbut.core import db_functions

        db_functions.connect()
