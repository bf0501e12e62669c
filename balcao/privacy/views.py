"""The client area's "Your data" page (LGPD art. 18): what is held about the signed-in contact,
downloadable as JSON — the same export staff and `balcao lgpd export` give."""

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from balcao.accounts.access import contact_required
from balcao.privacy.selectors import personal_data


@require_GET
@contact_required
def my_data(request):
    if "download" not in request.GET:
        return render(request, "privacy/my_data.html")
    data = json.dumps(personal_data(request.user.email), ensure_ascii=False, indent=2)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="meus-dados-balcao.json"'
    return response
