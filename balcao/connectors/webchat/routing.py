from django.urls import path

from balcao.connectors.webchat.consumers import ChatConsumer, QueueConsumer

# Channels routes ASGI applications with Django's path(); its stubs only know views.
websocket_urlpatterns = [
    path("ws/chat/queue/", QueueConsumer.as_asgi()),  # type: ignore[arg-type]
    path("ws/chat/<int:number>/", ChatConsumer.as_asgi()),  # type: ignore[arg-type]
]
