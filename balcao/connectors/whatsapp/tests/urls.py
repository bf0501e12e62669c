"""The project's URLs with the WhatsApp webhook where the lead mounts it."""

from django.urls import include, path

from balcao.urls import urlpatterns as project

urlpatterns = [
    *(p for p in project if getattr(p, "namespace", None) != "whatsapp"),
    path("whatsapp/", include("balcao.connectors.whatsapp.urls")),
]
