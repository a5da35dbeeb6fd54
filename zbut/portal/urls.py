from django.urls import path

from zbut.portal import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
