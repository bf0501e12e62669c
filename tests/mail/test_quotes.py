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


@pytest.mark.parametrize(
    "signature",
    [
        "Enviado do meu iPhone",
        "Enviado do meu Android",
        "Sent from my iPhone",
        "Sent from my Galaxy",
        "Enviado desde mi iPhone",
        "Von meinem iPhone gesendet",
        "Envoyé de mon iPhone",
        "Inviato da iPhone",
        "Verstuurd vanaf mijn iPhone",
        "Wysłane z iPhone'a",
        "Sendt fra min iPhone",
        "Skickat från min iPhone",
        "Lähetetty iPhonesta",
        "Отправлено с iPhone",
        "Get Outlook for Android",
    ],
)
def test_phone_signatures_are_cut_from_the_reply(signature):
    assert cut_quotes(f"{NEW}\n\n{signature}\n") == NEW
    assert cut_quotes(f"{NEW}\n\n{signature}\n\n> On Mon, Support wrote:\n> x") == NEW


@pytest.mark.parametrize(
    "text",
    [
        "Enviado de casa, sem acesso ao sistema.",  # not a phone
        "Sent from my office: the logs are attached.",
    ],
)
def test_a_last_line_that_is_not_a_phone_signature_stays(text):
    assert cut_quotes(f"{NEW}\n\n{text}") == f"{NEW}\n\n{text}"


@pytest.mark.parametrize(
    "header",
    [
        "24 Kas 2026 Pzt, saat 10:00 tarihinde Suporte <suporte@balcao.localhost> şunu yazdı:",
        "Dne 24. 11. 2026 v 10:00 Suporte <suporte@balcao.localhost> napsal(a):",
        "2026年11月24日(月) 10:00 Suporte <suporte@balcao.localhost>:",
    ],
)
def test_a_dated_line_with_an_address_before_quoted_lines_needs_no_language(header):
    assert cut_quotes(f"{NEW}\n\n{header}\n\n> Tente de novo?\n> Obrigado") == NEW


def test_a_dated_line_without_quoted_lines_after_it_is_text():
    text = f"{NEW}\nReunião em 24/11/2026 10:00 com ana@loja.example:\nlevar o log."
    assert cut_quotes(text) == text


@pytest.mark.parametrize(
    "block",
    [
        "Von: Suporte <suporte@balcao.localhost>\nGesendet: Montag, 24. November 2026 10:00\nAn: Ana",
        "Od: Suporte\nWysłano: poniedziałek, 24 listopada 2026 10:00\nDo: Ana",
        "Från: Suporte\nSkickat: den 24 november 2026 10:00\nTill: Ana",
        "Lähettäjä: Suporte\nLähetetty: maanantai 24. marraskuuta 2026 10.00",
        "От: Suporte\nОтправлено: 24 ноября 2026 г. 10:00\nКому: Ana",
        "De\u00a0: Suporte\nEnvoyé\u00a0: lundi 24 novembre 2026 10:00",
    ],
)
def test_outlook_header_blocks_in_every_language_are_cut(block):
    assert cut_quotes(f"{NEW}\n\n{block}\n\nTente de novo?") == NEW


def test_an_apple_mail_signature_container_leaves_the_html_reply():
    html = '<div>NOVO</div><div id="AppleMailSignature">Enviado do meu iPhone</div><blockquote type="cite">VELHO</blockquote>'
    cut, found = cut_html_quotes(html)
    assert found and "NOVO" in cut and "iPhone" not in cut and "VELHO" not in cut


def test_html_text_keeps_lines_and_paragraphs():
    html = "<div>a</div><div>b</div><p>c</p><p>d <b>e</b></p><ul><li>x</li><li>y</li></ul>"
    assert html_to_text(html) == "a\nb\nc\n\nd e\n\n- x\n- y"
