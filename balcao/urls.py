from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from balcao.api.views import api
from balcao.core.health import health

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:home", permanent=False)),
    path("cliente/ajuda/artigos/", include("balcao.kb.urls")),
    path("cliente/", include("balcao.portal.urls")),
    path("console/sla/", include("balcao.sla.urls")),
    path("console/mail/", include("balcao.connectors.email.urls")),
    path("console/", include("balcao.console.urls")),
    path("chat/", include("balcao.connectors.webchat.urls")),
    path("whatsapp/", include("balcao.connectors.whatsapp.urls")),
    path("health", health, name="health"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler500 = "balcao.core.health.server_error"
