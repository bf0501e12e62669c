import sys

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _

from balcao.core.health import DATABASE_ERRORS

# --- error pages: the product's look, the visitor's language, a way back --------------------


def _way_back(request) -> tuple[str, str]:
    """Where the visitor goes from an error: the console for staff, else the client area."""
    user = getattr(request, "user", None)
    if getattr(user, "is_agent", False):
        return reverse("console:home"), _("Back to the console")
    return reverse("portal:home"), _("Back to the client area")


def _error(request, status: int, title: str, text: str) -> HttpResponse:
    back_url, back_label = _way_back(request)
    context = {"title": title, "text": text, "back_url": back_url, "back_label": back_label}
    return HttpResponse(loader.render_to_string("error.html", context, request), status=status)


def page_not_found(request, exception=None):
    return _error(
        request,
        404,
        _("Page not found"),
        _("This page does not exist, or it is not one you may see. Check the address."),
    )


def permission_denied(request, exception=None):
    return _error(
        request,
        403,
        _("Access denied"),
        _("Your account may not open this page. Sign in with another account if you have one."),
    )


def csrf_failure(request, reason=""):
    return _error(
        request,
        403,
        _("The form has expired"),
        _(
            "For your safety the form was not sent: it was open too long or cookies are "
            "blocked. Go back, reload the page and send it again."
        ),
    )


def server_error(request):
    """Rendered without the request's context: nothing here may need the database (the
    session, the user), which may be what failed. A database outage is a 503 (try again
    shortly, with Retry-After), JSON under the API, never an error page."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return _unavailable(request)
    context = {
        "title": _("Something went wrong"),
        "text": _(
            "An error on our side stopped this page. The team has been told; please try again "
            "in a few minutes. Tickets can also be opened by e-mail."
        ),
        "back_url": "/",
        "back_label": _("Back to the start"),
    }
    return HttpResponse(loader.render_to_string("error.html", context), status=500)


def _unavailable(request) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": "Service unavailable, try again shortly."}, status=503)
    else:
        context = {
            "title": _("Temporarily unavailable"),
            "text": _(
                "Balcão cannot reach its database right now. If you were sending something, "
                "it was not saved: please try again in a minute."
            ),
            "back_url": request.path,
            "back_label": _("Try again"),
        }
        response = HttpResponse(loader.render_to_string("error.html", context), status=503)
    response["Retry-After"] = "30"
    return response
