from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WhatsAppConnectorConfig(AppConfig):
    name = "balcao.connectors.whatsapp"
    label = "whatsapp"
    verbose_name = _("WhatsApp")
