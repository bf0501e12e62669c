from django.urls import path

from balcao.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="index"),
    path("<slug:slug>/", views.report, name="report"),
    path("<slug:slug>/<slug:table>.csv", views.report_csv, name="csv"),
]
