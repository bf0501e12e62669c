"""Portuguese as Brazilians write it: plurals from zero, month names in lower case, the
language named as people name it, the CNPJ punctuated."""

import pytest
from django.urls import reverse

from balcao.factories import StaffFactory, make_company

pytestmark = pytest.mark.django_db


def test_zero_takes_the_plural(client, profile):
    client.force_login(StaffFactory(departments=["suporte"]))
    page = client.get(reverse("console:home")).content.decode()
    assert "0 chamados não fechados" in page
    found = client.get(reverse("kb:list"), {"q": "xyzzy"}).content.decode()
    assert "0 artigos encontrados" in found


def test_month_names_are_lower_case_and_the_language_is_named_in_full(client, profile):
    from datetime import date

    from django.utils import formats, translation

    with translation.override("pt-br"):
        assert formats.date_format(date(2026, 3, 2), "DATE_FORMAT") == "2 de março de 2026"
    page = client.get(reverse("portal:login")).content.decode()
    assert ">Português (Brasil)</option>" in page and ">English</option>" in page


def test_the_cnpj_is_shown_punctuated(profile):
    from balcao.customers.actions import do_change_company

    company, _primary = make_company()
    do_change_company(company, actor=None, cnpj="11222333000181")
    company.refresh_from_db()
    assert company.cnpj == "11222333000181" and company.cnpj_display == "11.222.333/0001-81"
