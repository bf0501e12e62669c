from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "balcao.sla"
    verbose_name = _("SLA and business hours")
