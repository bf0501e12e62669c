"""The frame every console and client-area page shares (menus, footer, language form) costs
~75 ``{% translate %}`` and ~30 ``{% url %}`` per page, ~1 ms of a ~9 ms page. What of it
depends only on the active language and a few named values is rendered once per process:

    {% kept current user.is_staff %}…{% endkept %}

renders its content the first time for each (language, ``current``, ``user.is_staff``) and
gives that text back afterwards. Its content must depend on nothing else: never on the
viewer's name, a CSRF token, a count or the request's path (a key with unbounded values
would keep a copy per value)."""

from django import template
from django.core.signals import setting_changed
from django.template.base import FilterExpression, Node, NodeList
from django.utils.translation import get_language

register = template.Library()

# (node, language, *keys) -> the node's text. The node itself, not its id: a template loaded
# again (DEBUG's autoreload, a test's settings) has new nodes, and an id may be reused.
KEPT: dict[tuple, str] = {}


class KeptNode(Node):
    def __init__(self, nodelist: NodeList, keys: list[FilterExpression]):
        self.nodelist = nodelist
        self.keys = keys

    def render(self, context) -> str:
        key = (self, get_language(), *(k.resolve(context) for k in self.keys))
        text = KEPT.get(key)
        if text is None:
            text = KEPT[key] = self.nodelist.render(context)
        return text


@register.tag
def kept(parser, token) -> KeptNode:
    keys = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, keys)


def forget(**kwargs) -> None:
    """A changed setting (URLs, static files, languages in tests) may change the kept text."""
    KEPT.clear()


setting_changed.connect(forget)
