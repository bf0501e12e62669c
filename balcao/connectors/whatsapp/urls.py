from django.urls import path

from balcao.connectors.whatsapp import views

app_name = "whatsapp"

urlpatterns = [
    path("webhook/", views.webhook, name="webhook"),
]
