"""The project's URLs with the e-mail views where the console mounts them."""

from django.urls import include, path

from balcao.urls import urlpatterns as project

urlpatterns = [path("console/mail/", include("balcao.connectors.email.urls")), *project]
