from django.urls import include, path

from zbut.portal import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("p/<slug:slug>/", views.project_detail, name="project_detail"),
    path("p/<slug:slug>/base/", include("zbut.bases.urls")),
    path("p/<slug:slug>/desk/", include("zbut.desk.urls")),
]
