"""The quoted earlier conversation is cut, whichever client quoted it and in which language;
what the person wrote is kept."""

import pytest

from balcao.connectors.email.quotes import cut_html_quotes, cut_quotes, html_to_text

NEW = "Ainda não funciona.\nSegue o log."
QUOTES = {
    "gmail en": "On Mon, Nov 24, 2026 at 10:00 AM Suporte <suporte@balcao.localhost> wrote:\n> Try again?",
    "gmail en wrapped": "On Mon, Nov 24, 2026 at 10:00 AM Suporte Balcão <\nsuporte@balcao.localhost> wrote:\n\n> Try again?",
    "gmail pt": "Em seg., 24 de nov. de 2026 às 10:00, Fulano <x@y.com> escreveu:\n> Tente de novo?",
    "outlook en": "-----Original Message-----\nFrom: Suporte\nSent: Monday\n\nTry again?",
    "outlook pt": "-----Mensagem original-----\nDe: Suporte\nEnviada em: segunda-feira\n\nTente?",
    "outlook from/sent": "From: Suporte <suporte@balcao.localhost>\nSent: Monday, November 24, 2026 10:00\nTo: Ana\nSubject: x\n\nTry again?",
    "outlook de/enviado": "________________________________\nDe: Suporte <suporte@balcao.localhost>\nEnviado: segunda-feira, 24 de novembro de 2026 10:00\nPara: Ana\nAssunto: x\n\nTente?",
    "outlook bold": "*De:* Suporte\n*Enviada em:* segunda-feira\n*Para:* Ana\n\nTente?",
    "apple en": "> On 24 Nov 2026, at 10:00, Suporte <suporte@balcao.localhost> wrote:\n>\n> Try again?",
    "apple pt": "Em 24 de nov. de 2026, à(s) 10:00, Suporte <suporte@balcao.localhost> escreveu:\n\n\ufeffTente?",
    "thunderbird pt": "Em 24/11/2026 10:00, Suporte escreveu:\n> Tente de novo?",
    "thunderbird en": "On 24/11/2026 10:00, Support wrote:\n> Try again?",
    "bare > lines": "> Tente de novo?\n> Obrigado",
}


@pytest.mark.parametrize("client", QUOTES)
def test_quote_is_cut(client):
    assert cut_quotes(f"{NEW}\n\n{QUOTES[client]}\n") == NEW


def test_bottom_posting_keeps_the_answer():
    text = "Em 24/11/2026 10:00, Suporte escreveu:\n> Qual navegador?\n\nChrome 120."
    assert cut_quotes(text) == "Chrome 120."


def test_text_without_quote_is_untouched():
    text = "De: onde vem o erro?\nNão sei.\n\n-- \nAna"
    assert cut_quotes(text) == text


def test_a_message_that_is_all_quote_is_kept_whole():
    text = "> só citação"
    assert cut_quotes(text) == text


@pytest.mark.parametrize(
    "html",
    [
        '<div dir="ltr">NOVO</div><div class="gmail_quote"><div class="gmail_attr">Em … escreveu:</div><blockquote class="gmail_quote">VELHO</blockquote></div>',
        '<div>NOVO</div><hr><div id="divRplyFwdMsg"><b>From:</b> x</div><div>VELHO</div>',
        '<div>NOVO</div><blockquote type="cite"><div>On … wrote:</div>VELHO</blockquote>',
        '<p>NOVO</p><div class="moz-cite-prefix">Em … escreveu:</div><blockquote type="cite">VELHO</blockquote>',
        '<p class="MsoNormal">NOVO</p><div style="border:none;border-top:solid #E1E1E1 1.0pt"><p><b>De:</b> x</p></div><p>VELHO</p>',
    ],
)
def test_html_quote_containers_are_cut(html):
    cut, found = cut_html_quotes(html)
    assert found and "NOVO" in html_to_text(cut) and "VELHO" not in cut
