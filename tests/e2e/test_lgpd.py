"""An administrator answers an erasure request received by phone, in a real browser: records
it, reads what will be erased and kept, is stopped by a mistyped address, then erases."""

import pytest
from playwright.sync_api import expect

from balcao.accounts.models import User
from balcao.privacy.models import DataRequest
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

TI = "ti@megastore.com.br"


def test_an_administrator_records_and_answers_an_erasure_request(page_for, live_server):
    page = page_for("admin@balcao.localhost")
    page.goto(f"{live_server.url}/console/")
    page.get_by_text("Mais", exact=True).click()
    page.get_by_role("link", name="Pedidos LGPD").click()
    page.get_by_role("link", name="Registrar um pedido").click()
    page.get_by_label("O que a pessoa pede").select_option("erasure")
    page.get_by_label("E-mail da pessoa").fill(TI)
    page.get_by_label("Recebido por").select_option("phone")
    page.get_by_role("button", name="Registrar").click()
    expect(page.get_by_text("Pedido registrado")).to_be_visible()
    expect(page.get_by_text("Tiago TI")).to_be_visible()
    page.get_by_text("Apagar…").click()
    expect(page.get_by_text("Mantido: os chamados da empresa")).to_be_visible()
    page.get_by_label("Digite o e-mail da pessoa para confirmar").fill("ti@megastore.com")
    page.get_by_role("button", name="Apagar para sempre").click()
    expect(page.get_by_text("nada foi apagado")).to_be_visible()
    assert User.objects.filter(email=TI).exists()
    page.get_by_label("Digite o e-mail da pessoa para confirmar").fill(TI)
    page.get_by_role("button", name="Apagar para sempre").click()
    expect(page.get_by_text("Os dados da pessoa foram apagados.")).to_be_visible()
    screenshot(page, "lgpd-erased")
    assert not User.objects.filter(email=TI).exists()
    assert DataRequest.objects.get().status == "done"
