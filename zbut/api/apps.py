from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "zbut.api"
    label = "api"
    verbose_name = "REST API"
    # Its drf-spectacular extension is registered by the URLconf (``urls``), which every
    # schema goes through, not here: drf-spectacular costs every command 0.15 s to import.
