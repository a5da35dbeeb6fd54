"""The coordinator's hand-off screens, mounted under /handoff/."""

from django.urls import path

from zbut.handoff import views

app_name = "handoff"

urlpatterns = [
    path("outbox/", views.outbox_page, name="outbox"),
    path("outbox/<int:message_id>/retry/", views.retry_message, name="retry"),
    path("clients/<slug:client_slug>/", views.integrations, name="integrations"),
    path("clients/<slug:client_slug>/bitrix24/", views.bitrix24_save, name="bitrix24_save"),
    path("clients/<slug:client_slug>/bitrix24/check/", views.bitrix24_check, name="bitrix24_check"),
    path("clients/<slug:client_slug>/webhooks/", views.webhook_add, name="webhook_add"),
    path(
        "clients/<slug:client_slug>/webhooks/<int:endpoint_id>/rotate/",
        views.webhook_rotate,
        name="webhook_rotate",
    ),
    path(
        "clients/<slug:client_slug>/webhooks/<int:endpoint_id>/deactivate/",
        views.webhook_deactivate,
        name="webhook_deactivate",
    ),
    path("clients/<slug:client_slug>/recipients/", views.recipient_add, name="recipient_add"),
    path(
        "clients/<slug:client_slug>/recipients/<int:recipient_id>/remove/",
        views.recipient_remove,
        name="recipient_remove",
    ),
]
