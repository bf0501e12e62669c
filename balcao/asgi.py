"""One ASGI application: pages, API and websockets."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
os.environ.setdefault("DB_POOL", "1")  # a long-lived server: PostgreSQL connections pooled
django_application = get_asgi_application()

# After Django is set up: these import models.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from balcao.connectors.webchat.routing import websocket_urlpatterns  # noqa: E402
from balcao.console.consumers import PresenceConsumer  # noqa: E402
from balcao.notifications.consumers import NotificationConsumer  # noqa: E402

# Channels routes ASGI applications with Django's path(); its stubs only know views.
websocket_urlpatterns = [
    *websocket_urlpatterns,
    path("ws/console/notifications/", NotificationConsumer.as_asgi()),  # type: ignore[arg-type]
    path("ws/console/tickets/<int:number>/presence/", PresenceConsumer.as_asgi()),  # type: ignore[arg-type]
]

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(
            # channels' stubs want their own pattern type, which Django's path() never returns
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))  # type: ignore[arg-type]
        ),
    }
)
