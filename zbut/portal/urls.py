from django.urls import include, path

from zbut.portal import company_views, export_views, online_views, report_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("p/<slug:slug>/", views.project_detail, name="project_detail"),
    path("p/<slug:slug>/base/", include("zbut.bases.urls")),
    path("p/<slug:slug>/desk/", include("zbut.desk.urls")),
    path("p/<slug:slug>/online/", online_views.online_table, name="online"),
    path("p/<slug:slug>/online/stream", online_views.online_stream, name="online_stream"),
    path("p/<slug:slug>/c/<str:company_id>/", company_views.company_detail, name="company_detail"),
    path("p/<slug:slug>/reports/", report_views.reports, name="reports"),
    path(
        "p/<slug:slug>/reports/companies/",
        report_views.report_companies,
        name="report_companies",
    ),
    path("p/<slug:slug>/export/", export_views.export_start, name="export_start"),
    path("p/<slug:slug>/export/<int:job_id>/", export_views.export_detail, name="export_detail"),
    path(
        "p/<slug:slug>/export/<int:job_id>/progress/",
        export_views.export_progress,
        name="export_progress",
    ),
    path(
        "p/<slug:slug>/export/<int:job_id>/download/",
        export_views.export_download,
        name="export_download",
    ),
]
