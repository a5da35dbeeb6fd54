"""The REST API, mounted at /api/ (see README: REST API)."""

from django.urls import path

from zbut.api import schema, token_views, views

del schema  # imported to register its drf-spectacular extension before a schema is made

app_name = "api"

SCHEMA_SETTINGS = {
    "TITLE": "Zbut API",
    "DESCRIPTION": (
        "Read-only API of a client's projects, companies and events. "
        "Authenticate with the header `Authorization: Token <key>`."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/",
}

urlpatterns = [
    path("projects/", views.ProjectList.as_view(), name="projects"),
    path("projects/<slug:slug>/companies/", views.CompanyList.as_view(), name="companies"),
    path("projects/<slug:slug>/events/", views.EventList.as_view(), name="events"),
    path(
        "schema/",
        views.SchemaView.as_view(custom_settings=SCHEMA_SETTINGS),
        name="schema",
    ),
    path("docs/", views.DocsView.as_view(url_name="api:schema"), name="docs"),
    path("tokens/", token_views.tokens_page, name="tokens"),
    path("tokens/<int:token_id>/revoke/", token_views.revoke_token, name="token_revoke"),
]
