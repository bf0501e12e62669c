from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailConnectorConfig(AppConfig):
    name = "balcao.connectors.email"
    label = "mail"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        from balcao.connectors.email import outbound, selectors
        from balcao.core.health import register_check
        from balcao.tickets.delivery import ChannelDelivery, register
        from balcao.tickets.models import Origin

        register_check("mail_fetch", selectors.mailbox_health)
        register(
            Origin.EMAIL,
            ChannelDelivery(
                reply=outbound.send_reply,
                answer=outbound.send_answer,
                answers=frozenset(outbound.ANSWER_TEMPLATES),
                acknowledge=outbound.send_acknowledgement,
                remind=outbound.send_reminder,
                survey=outbound.send_survey,
            ),
        )
