"""The desk of one project, mounted under /p/<slug>/desk/ by the portal."""

from django.urls import path

from zbut.desk import team_views, views

app_name = "desk"

urlpatterns = [
    path("", views.desk_page, name="desk"),
    path("skip/", views.skip, name="skip"),
    path("c/<int:company_id>/outcome/<slug:code>/", views.outcome, name="outcome"),
    path("c/<int:company_id>/attempt/<slug:code>/", views.attempt, name="attempt"),
    path("c/<int:company_id>/note/", views.note, name="note"),
    path("team/", team_views.team_page, name="team"),
    path("team/phase/", team_views.open_next_phase, name="open_phase"),
    path("team/phase/plan/", team_views.plan_next_phase, name="plan_phase"),
    path("team/priority/", team_views.priority, name="priority"),
]
