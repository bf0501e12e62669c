from django.urls import path

from balcao.sla import views

app_name = "sla"

urlpatterns = [path("", views.report, name="report")]
