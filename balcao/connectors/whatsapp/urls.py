from django.urls import path

from balcao.connectors.whatsapp import views

app_name = "whatsapp"

urlpatterns = [
    path("webhook/", views.webhook, name="webhook"),
    path("numeros/", views.numbers, name="numbers"),
    path("numeros/<int:pk>/remover/", views.number_remove, name="number_remove"),
]
