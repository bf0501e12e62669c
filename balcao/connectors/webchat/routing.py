from django.urls import path

from balcao.connectors.webchat.consumers import ChatConsumer, QueueConsumer

websocket_urlpatterns = [
    path("ws/chat/queue/", QueueConsumer.as_asgi()),
    path("ws/chat/<int:number>/", ChatConsumer.as_asgi()),
]
