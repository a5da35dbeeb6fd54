"""Base screens of one project, mounted under /p/<slug>/base/ by the portal."""

from django.urls import path

from zbut.bases import agreement_views, views

app_name = "bases"

urlpatterns = [
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:import_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:import_id>/mapping/", views.import_mapping, name="import_mapping"),
    path("imports/<int:import_id>/progress/", views.import_progress, name="import_progress"),
    path(
        "imports/<int:import_id>/rejected.csv",
        views.import_rejected_csv,
        name="import_rejected_csv",
    ),
    path("agreement/", agreement_views.agreement_page, name="agreement"),
    path("agreement/send/", agreement_views.agreement_send, name="agreement_send"),
    path(
        "agreement/<int:agreement_id>/exclude/",
        agreement_views.agreement_exclude,
        name="agreement_exclude",
    ),
    path(
        "agreement/<int:agreement_id>/exclude-category/",
        agreement_views.agreement_exclude_category,
        name="agreement_exclude_category",
    ),
    path(
        "agreement/<int:agreement_id>/approve/",
        agreement_views.agreement_approve,
        name="agreement_approve",
    ),
    path(
        "agreement/companies/<int:company_id>/comment/",
        agreement_views.company_comment,
        name="company_comment",
    ),
]
