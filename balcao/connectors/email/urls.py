from django.urls import path

from balcao.connectors.email import views

app_name = "mail"

urlpatterns = [
    path("mensagens/<int:message_id>/original/", views.original, name="original"),
    path("mensagens/<int:message_id>/original.eml", views.download, name="download"),
]
