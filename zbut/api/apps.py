from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "zbut.api"
    label = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from zbut.api import schema

        del schema  # imported to register its drf-spectacular extension
