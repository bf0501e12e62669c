"""The client area's frame: what of it is kept per process ({% kept %}) is rendered per
language, per plan's chat and per current menu link; the viewer's name per request."""

import pytest
from django.conf import settings
from django.urls import reverse

from balcao.core.templatetags.frame import KEPT

pytestmark = pytest.mark.django_db

CURRENT = ' aria-current="page">'


def page(client, user, language, path):
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(path).content.decode()


def test_the_kept_frame_is_per_language_plan_and_page(client, mega, loja):
    KEPT.clear()
    chat = f'<a href="{reverse("webchat:start")}"'
    mega_company, mega_contact = mega
    loja_company, loja_contact = loja
    assert "chat" in mega_company.plan.channels and "chat" not in loja_company.plan.channels
    tickets, help_page = reverse("portal:tickets"), reverse("portal:help")
    mega_pt = page(client, mega_contact, "pt-br", tickets)
    loja_pt = page(client, loja_contact, "pt-br", tickets)
    loja_en = page(client, loja_contact, "en", help_page)
    assert chat in mega_pt and chat not in loja_pt and chat not in loja_en
    assert CURRENT + "Ver chamados</a>" in loja_pt and "Seus dados</a>" in loja_pt
    assert CURRENT + "Help</a>" in loja_en and "Your data</a>" in loja_en
    assert CURRENT + "View tickets" not in loja_en
    assert f">{loja_contact.display_name}</a>" in loja_pt  # never kept
    assert f">{mega_contact.display_name}</a>" in mega_pt
    client.logout()
    articles = page(client, None, "en", reverse("kb:list"))
    assert "Your data" not in articles and CURRENT + "Help" not in articles
