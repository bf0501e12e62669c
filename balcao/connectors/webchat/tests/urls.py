"""The project's URLs with the chat mounted as the lead is to mount it in balcao/urls.py."""

from django.urls import include, path

from balcao.urls import urlpatterns as project

urlpatterns = [
    *[p for p in project if getattr(p, "namespace", None) != "webchat"],
    path("chat/", include("balcao.connectors.webchat.urls")),
]
