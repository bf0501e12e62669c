"""The project's URLs with the SLA report where the console mounts it."""

from django.urls import include, path

from balcao.urls import urlpatterns as project

urlpatterns = [
    *(p for p in project if getattr(p, "namespace", None) != "sla"),
    path("console/sla/", include("balcao.sla.urls")),
]
