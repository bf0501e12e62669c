from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from balcao.accounts.admin import own_password_change
from balcao.api.views import api
from balcao.core.admin_site import discover
from balcao.core.health import health

discover()  # the admin's modules, here rather than at start-up (core/admin_site.py)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:home", permanent=False)),
    path("cliente/ajuda/artigos/", include("balcao.kb.urls")),
    path("cliente/meus-dados/", include("balcao.privacy.urls")),
    path("cliente/", include("balcao.portal.urls")),
    # The SLA report became Relatórios › SLA; bookmarks of the old page still arrive there.
    path(
        "console/sla/",
        RedirectView.as_view(
            url=reverse_lazy("reports:report", kwargs={"slug": "sla"}), query_string=True
        ),
    ),
    path("console/relatorios/", include("balcao.reports.urls")),
    path("console/mail/", include("balcao.connectors.email.urls")),
    path("console/lgpd/", include("balcao.privacy.staff_urls")),
    path("console/", include("balcao.console.urls")),
    path("chat/", include("balcao.connectors.webchat.urls")),
    path("whatsapp/", include("balcao.connectors.whatsapp.urls")),
    path("health", health, name="health"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # One login page (throttled, with the second factor) for the admin site too.
    path("admin/login/", RedirectView.as_view(pattern_name="portal:login", query_string=True)),
    path("admin/password_change/", admin.site.admin_view(own_password_change)),
    path("admin/", admin.site.urls),
]

handler403 = "balcao.core.views.permission_denied"
handler404 = "balcao.core.views.page_not_found"
handler500 = "balcao.core.views.server_error"
