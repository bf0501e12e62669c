from django.contrib import admin
from django.urls import include, path

from balcao.api.views import api
from balcao.core.views import health

urlpatterns = [
    path("health", health, name="health"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
