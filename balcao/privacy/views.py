"""LGPD pages (art. 18). The client area's "Your data": what is held about the signed-in
contact, as JSON or a ZIP with their files. The console's data subjects' requests: recorded
with their legal deadline, answered by the same export or by erasure, closed with a
reference; and, for administrators, the record of who opened whose data."""

import json
import tempfile

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balcao.accounts.access import contact_required, staff_required
from balcao.core.clients import client_address
from balcao.core.errors import ActionRefused
from balcao.privacy import actions, selectors
from balcao.privacy.forms import CloseForm, DataRequestForm, EraseForm, OwnRequestForm
from balcao.privacy.models import AccessRecord, DataRequest

PAGE_SIZE = 50


def _archive(email: str, filename: str) -> FileResponse:
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115  (FileResponse closes it)
    selectors.write_export_archive(email, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type="application/zip")


@require_http_methods(["GET", "POST"])
@contact_required
def my_data(request):
    """The contact's data to download, and their requests about it (erasure, correction…),
    recorded for the team like those received by any other channel."""
    form = OwnRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = actions.do_open_data_request(
            actor=request.user,
            email=request.user.email,
            channel=DataRequest.Channel.CLIENT_AREA,
            received_at=timezone.now(),
            **form.cleaned_data,
        )
        messages.success(
            request,
            _("Your request was recorded. We answer by %(due)s.")
            % {"due": date_format(created.due_on, "SHORT_DATE_FORMAT")},
        )
        return redirect("privacy:my_data")
    download = request.GET.get("download")
    if download == "zip":
        return _archive(request.user.email, "meus-dados-balcao.zip")
    if not download:
        context = {"form": form, "requests": selectors.list_own_requests(request.user.email)}
        return render(request, "privacy/my_data.html", context)
    data = json.dumps(selectors.personal_data(request.user.email), ensure_ascii=False, indent=2)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="meus-dados-balcao.json"'
    return response


def _request(pk: int) -> DataRequest:
    found = selectors.get_data_request(pk)
    if found is None:
        raise Http404
    return found


def _administrator(request) -> None:
    if not request.user.is_administrator:
        raise Http404


@require_GET
@staff_required
def request_list(request):
    closed = request.GET.get("show") == "closed"
    requests = selectors.list_data_requests(closed=closed)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "closed": closed, "today": selectors.today()}
    return render(request, "privacy/requests.html", context)


@require_http_methods(["GET", "POST"])
@staff_required
def request_new(request):
    form = DataRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.do_open_data_request(actor=request.user, **form.cleaned_data)
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Request recorded: due %(due)s.") % {"due": created.due_on})
            return redirect("lgpd:request", pk=created.pk)
    return render(request, "privacy/request_new.html", {"form": form})


def _request_page(request, data_request: DataRequest, **forms):
    summary = None
    if data_request.erasure_id is None:  # after an erasure there is nobody left to show
        actions.do_record_access(
            actor=request.user,
            email=data_request.email,
            what=AccessRecord.What.SUMMARY,
            client_address=client_address(request),
        )
        summary = selectors.person_summary(data_request.email)
    context = {
        "data_request": data_request,
        "summary": summary,
        "today": selectors.today(),
        "close_form": forms.get("close_form") or CloseForm(),
        "erase_form": forms.get("erase_form") or EraseForm(email=data_request.email),
    }
    if request.user.is_administrator:
        context["accesses"] = selectors.list_accesses(data_request.email)[:PAGE_SIZE]
    return render(request, "privacy/request.html", context)


@require_GET
@staff_required
def request_page(request, pk: int):
    return _request_page(request, _request(pk))


@require_POST
@staff_required
def request_export(request, pk: int):
    """The person's ZIP, the same as the client area's, for a request received by other
    means; recorded as an access. An open access or portability request is closed with it as
    reference; any other (a copy again, a look before a correction) is only recorded."""
    data_request = _request(pk)
    actions.do_record_export(
        data_request.email,
        actor=request.user,
        client_address=client_address(request),
        request=data_request if data_request.answered_by_export else None,
    )
    return _archive(data_request.email, f"dados-pedido-{data_request.pk}.zip")


@require_POST
@staff_required
def request_erase(request, pk: int):
    """Administrators only, after typing the person's e-mail: the same erasure as
    ``balcao lgpd erase``, closing the request with its record as reference."""
    _administrator(request)
    data_request = _request(pk)
    form = EraseForm(request.POST, email=data_request.email)
    if data_request.status != DataRequest.Status.OPEN:
        messages.error(request, _("This request is already closed."))
    elif not form.is_valid():
        return _request_page(request, data_request, erase_form=form)
    elif actions.do_erase_person(data_request.email, actor=request.user, request=data_request):
        messages.success(request, _("The person's data was erased."))
    else:
        messages.warning(request, _("Nothing is held about this address: nothing was erased."))
    return redirect("lgpd:request", pk=pk)


@require_POST
@staff_required
def request_close(request, pk: int):
    data_request = _request(pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _request_page(request, data_request, close_form=form)
    try:
        actions.do_close_data_request(data_request, actor=request.user, **form.cleaned_data)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    return redirect("lgpd:request", pk=pk)


@require_GET
@staff_required
def deadlines(request):
    """The banner every console page loads: requests overdue or close to their deadline."""
    return render(request, "privacy/_deadlines.html", {"deadlines": selectors.request_deadlines()})


@require_GET
@staff_required
def access_list(request):
    """Who opened whose data, the latest first; one person's with ``?email=``. Read only."""
    _administrator(request)
    email = (request.GET.get("email") or "").strip().lower() or None
    page = Paginator(selectors.list_accesses(email), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "privacy/accesses.html", {"page": page, "email": email or ""})
