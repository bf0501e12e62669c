import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.core.text import is_unstorable

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def anonymous_view(view):
    """Marks a view that answers the same whoever asks (``/health``): no session or user is
    read for it, not even the viewer's time zone (two queries for a caller with a cookie)."""
    view.anonymous_view = True
    return view


class ViewerTimezoneMiddleware:
    """Show times in the viewer's zone (Brasília by default); storage stays UTC. Set once the
    view is known (``process_view``), so that an ``anonymous_view`` reads no user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(ZoneInfo(settings.TIME_ZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "anonymous_view", False):
            return
        user = getattr(request, "user", None)
        zone = getattr(user, "time_zone", "") or settings.TIME_ZONE
        timezone.activate(ZoneInfo(zone))


class ContentSecurityPolicyMiddleware:
    """Every response says where scripts may come from: our own files, and inline scripts only
    with this response's nonce (``{{ request.csp_nonce }}``). Styles may be inline (style
    attributes); nothing may frame the pages. Also a Permissions-Policy turning off the
    browser features the helpdesk never uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.headers.setdefault(
            "Content-Security-Policy",
            "; ".join(
                [
                    "default-src 'self'",
                    f"script-src 'self' 'nonce-{request.csp_nonce}'",
                    "style-src 'self' 'unsafe-inline'",
                    "img-src 'self' data:",
                    "connect-src 'self'",
                    "object-src 'none'",
                    "base-uri 'self'",
                    "form-action 'self'",
                    "frame-ancestors 'none'",
                ]
            ),
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class RefuseUnstorableQueryMiddleware:
    """A query string with NUL or a lone surrogate is a 400 on every page and route: such text
    would fail in the database (forms already refuse NUL in fields; the API's JSON parser
    refuses both)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(is_unstorable(k) or is_unstorable(v) for k, v in request.GET.lists()):
            return HttpResponseBadRequest(_("The address contains characters that are not text."))
        return self.get_response(request)
