"""``{% chat_queue %}``: the live chats panel, for any console page that shows it."""

from django import template

from balcao.connectors.webchat.selectors import list_chats

register = template.Library()


@register.inclusion_tag("webchat/_queue_panel.html", takes_context=True)
def chat_queue(context):
    return {"queue": list_chats(context["request"].user)}
