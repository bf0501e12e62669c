"""One ASGI application: pages, API and websockets."""

import gc
import os
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest
from django.http.response import HttpResponseBase

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
os.environ.setdefault("DB_POOL", "1")  # a long-lived server: PostgreSQL connections pooled


class SyncChainHandler(ASGIHandler):
    """Django's ASGI handler with the middleware chain and the views run as WSGI runs them: in
    one thread, entered once per request. Every view and middleware here is synchronous; the
    stock handler builds the chain for async views and so crosses between the event loop and
    the request's thread several times a request (into the sync middlewares, back out to
    resolve the URL, in again for the view and again for a template response), each crossing
    a thread hand-off. An async view still works (Django's sync path runs it with
    async_to_sync), paying the crossing only for itself.

    A request's sync work (request_started, the chain, response.close and so request_finished,
    which closes or returns its database connections) runs in one thread, as Django's handler
    runs it; but that thread is taken from the threads kept here instead of being started for
    the request and joined by yet another thread at its end (asgiref's ThreadSensitiveContext
    without an executor). A thread serves one request at a time: as many threads as requests
    in flight, at most KEPT_THREADS of them kept idle. A request cancelled mid-way gives its
    thread back only when the work it left there has finished."""

    KEPT_THREADS = 16

    def __init__(self) -> None:
        self.threads: list[ThreadPoolExecutor] = []
        super().__init__()

    async def __call__(
        self,
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[Mapping[str, Any]]],
        send: Callable[[Mapping[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django serves HTTP connections, not {scope['type']}.")
        thread = self.threads.pop() if self.threads else ThreadPoolExecutor(max_workers=1)
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        except BaseException:
            # Cancelled (a server giving up on the request) or failed while its sync work may
            # still run: the thread is kept again only once that work is done, in the thread
            # itself after it, so that no request is handed a busy thread to wait behind.
            thread.submit(self._keep, thread)
            raise
        self._keep(thread)  # handle() returned: every sync call it made has returned

    def _keep(self, thread: ThreadPoolExecutor) -> None:
        """Among the kept threads (list.append is atomic: only the event loop pops them)."""
        if len(self.threads) < self.KEPT_THREADS:
            self.threads.append(thread)
        else:
            thread.shutdown(wait=False)  # its thread ends once its work is done

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        chain: Callable[[HttpRequest], HttpResponseBase] = self._middleware_chain  # type: ignore[has-type]
        self._middleware_chain = sync_to_async(chain, thread_sensitive=True)


django.setup(set_prefix=False)
django_application = SyncChainHandler()

# After Django is set up: these import models.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import get_resolver, path  # noqa: E402

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

# The URLconf (and with it the API's schemas) loaded now rather than by the first request, then
# every object made so far (~125,000: Django's and our modules, models, schemas) moved out of
# the cyclic collector's sight. A long-lived server otherwise walks them all again in each full
# collection, every few hundred requests: a pause of over 100 ms in whichever request it hits.
get_resolver().url_patterns  # noqa: B018 (imported for its effect)
gc.freeze()
