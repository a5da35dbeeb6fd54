from django.contrib import admin
from django.urls import include, path

from zbut.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("zbut.accounts.urls")),
    path("handoff/", include("zbut.handoff.urls")),
    path("api/", include("zbut.api.urls")),
    path("", include("zbut.portal.urls")),
]
