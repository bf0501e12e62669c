from django.urls import path

from balcao.kb import views

app_name = "kb"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("<slug:slug>/", views.article_page, name="article"),
    path("<slug:slug>/resposta/", views.answer, name="answer"),
]
