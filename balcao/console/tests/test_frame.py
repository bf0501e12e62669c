"""The console's frame: what of it is kept per process ({% kept %}) is rendered per language,
per viewer's role and per current menu link; the viewer's own name is rendered per request."""

import pytest
from django.conf import settings
from django.urls import reverse

from balcao.core.templatetags.frame import KEPT
from balcao.factories import StaffFactory

pytestmark = pytest.mark.django_db

ADMIN_LINK = f'<a href="{reverse("admin:index")}">'


def page(client, user, language, path=None):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(path or reverse("console:tickets")).content.decode()


def test_the_kept_frame_is_per_language_and_per_role(client, admin_user, suporte_agent):
    KEPT.clear()
    admin_pt = page(client, admin_user, "pt-br")
    agent_pt = page(client, suporte_agent, "pt-br")
    agent_en = page(client, suporte_agent, "en")
    admin_en = page(client, admin_user, "en")
    assert ADMIN_LINK + "Administração</a>" in admin_pt
    assert ADMIN_LINK + "Administration</a>" in admin_en
    assert ADMIN_LINK not in agent_pt and ADMIN_LINK not in agent_en
    assert ">Filas</a>" in agent_pt and "Pular para o conteúdo" in agent_pt
    assert ">Queues</a>" in agent_en and "Skip to content" in agent_en
    assert 'lang="en" selected' in agent_en and 'lang="pt-br" selected' in agent_pt
    assert ">Ana Suporte</a>" in agent_pt and ">Admin</a>" in admin_pt  # never kept
    assert ">Ana Suporte</a>" in agent_en and ">Admin</a>" in admin_en
    languages = {key[1] for key in KEPT}
    assert languages == {"pt-br", "en"}


def test_the_kept_menu_marks_the_current_link(client, suporte_agent):
    tickets = reverse("console:tickets")
    current = ' aria-current="page">'
    listed = page(client, suporte_agent, "en")
    mine = page(client, suporte_agent, "en", f"{tickets}?assignee=me")
    unlinked = page(client, suporte_agent, "en", f"{tickets}?unlinked=on")
    home = page(client, suporte_agent, "en", reverse("console:home"))
    assert f'<a href="{tickets}"{current}Tickets</a>' in listed
    assert current + "My tickets" not in listed and current + "Queues" not in listed
    assert f'<a href="{tickets}"{current}' not in mine and current + "My tickets" in mine
    assert f'<a href="{tickets}"{current}' not in unlinked and current + "Unlinked" in unlinked
    assert current + "Queues" in home and f'<a href="{tickets}"{current}' not in home


def test_the_viewers_name_is_not_kept(client, suporte_agent, profile):
    other = StaffFactory(departments=["suporte"], name="Otto Outro")
    assert 'title="Minha conta">Ana Suporte</a>' in page(client, suporte_agent, "pt-br")
    assert 'title="Minha conta">Otto Outro</a>' in page(client, other, "pt-br")
