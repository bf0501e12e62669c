from django.urls import path

from balcao.privacy import views

app_name = "lgpd"
urlpatterns = [
    path("", views.request_list, name="requests"),
    path("novo/", views.request_new, name="request_new"),
    path("<int:pk>/", views.request_page, name="request"),
    path("<int:pk>/exportar/", views.request_export, name="export"),
    path("<int:pk>/apagar/", views.request_erase, name="erase"),
    path("<int:pk>/fechar/", views.request_close, name="close"),
    path("prazos/", views.deadlines, name="deadlines"),
    path("acessos/", views.access_list, name="accesses"),
]
