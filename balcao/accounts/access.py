"""Who may open a page: the access decorators of every interface, in one place.

An anonymous visitor is sent to the one login page (an htmx request by ``HX-Redirect``, so a
poll never swaps the login form into a fragment). Staff pages are 404 to anyone else: the
console does not exist for customers. Client-area pages let in the contacts of an active
company, with ``request.contact`` set; staff are sent to the console, and a signed-in person
who is neither gets a page saying so.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django_htmx.http import HttpResponseClientRedirect

from balcao.customers.selectors import get_contact

View = Callable[..., HttpResponseBase]


def _to_login(request) -> HttpResponseBase:
    if request.htmx:
        return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL))
    return redirect_to_login(request.get_full_path())


def staff_required(view: View) -> View:
    """Lets in staff (agents, directors, administrators)."""

    @wraps(view)
    def wrapper(request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return _to_login(request)
        if not request.user.is_agent:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def contact_required(view: View) -> View:
    """Lets in the contacts of an active company, with ``request.contact`` set."""

    @wraps(view)
    def wrapper(request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return _to_login(request)
        if user.is_agent:
            return redirect("console:home")
        contact = get_contact(user)
        if contact is None:
            return render(request, "portal/no_access.html", status=403)
        request.contact = contact
        return view(request, *args, **kwargs)

    return wrapper


def contact_or_staff_required(view: View) -> View:
    """Lets in staff, and contacts as ``contact_required`` does (pages both sides share)."""

    @wraps(view)
    def wrapper(request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and request.user.is_agent:
            return view(request, *args, **kwargs)
        return contact_required(view)(request, *args, **kwargs)

    return wrapper
