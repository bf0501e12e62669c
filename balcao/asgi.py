"""One ASGI application: pages, API and websockets."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
application = get_asgi_application()
