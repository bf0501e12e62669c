from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


class ViewerTimezoneMiddleware:
    """Show times in the viewer's zone (Brasília by default); storage stays UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = getattr(user, "time_zone", "") or settings.TIME_ZONE
        timezone.activate(ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
