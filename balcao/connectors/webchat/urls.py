from django.urls import path

from balcao.connectors.webchat import views

app_name = "webchat"

urlpatterns = [
    path("", views.start, name="start"),
    path("<int:number>/", views.room, name="room"),
    path("<int:number>/send/", views.send, name="send"),
    path("<int:number>/end/", views.end, name="end"),
    path("console/", views.queue, name="queue"),
    path("console/<int:number>/", views.console_room, name="console_room"),
    path("console/<int:number>/join/", views.join, name="join"),
]
