from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WhatsAppConnectorConfig(AppConfig):
    name = "balcao.connectors.whatsapp"
    label = "whatsapp"
    verbose_name = _("WhatsApp")

    def ready(self) -> None:
        from balcao.connectors.whatsapp import outbound
        from balcao.tickets.delivery import ChannelDelivery, register
        from balcao.tickets.models import Origin

        register(
            Origin.WHATSAPP,
            ChannelDelivery(
                reply=outbound.send_reply, answer=outbound.send_answer, answers=outbound.ANSWERS
            ),
        )
