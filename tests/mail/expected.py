"""What each message of corpus/ must read as. Keys are file names; values are the fields that
must match exactly, plus ``reply_has``/``reply_lacks`` (substrings of reply_text),
``defects_has`` (substrings of some defect) and ``attachments`` (names)."""

EXPECTED = {
    "android_emoji_subject.eml": {
        "subject": "🚨 Loja fora do ar! 😣",
        "from_name": "Bruno Conceição",
        "from_email": "bruno@gmail.com",
        "reply_has": ["erro 502. 😣", "Enviado do meu celular"],
        "auto_generated": False,
        "defects": [],
    },
    "apple_iphone_en.eml": {
        "in_reply_to": "ticket1005.1764000000.5@balcao.localhost",
        "reply_text": "It is back up, thanks!\n\nSent from my iPhone",
        "defects": [],
    },
    "apple_mail_ptbr_inline_image.eml": {
        "reply_text": "Segue a tela do erro.",
        "attachments": ["tela.png"],
        "html_has": ['src="cid:A1B2C3D4-0000-1111-2222-333344445555"'],
        "reply_html_lacks": ["escreveu"],
    },
    "ascii_declared_latin1_body.eml": {
        "reply_text": "Não consigo acessar o painel.",
        "defects_has": ["us-ascii"],
    },
    "attachment_names_encoded.eml": {
        "attachments": ["relatório mensal.pdf", "nota fiscal março.pdf", "planilha de preços.xlsx"],
        "reply_text": "Seguem as notas de março e o relatório.",
    },
    "autoreply_out_of_office.eml": {"auto_generated": True},
    "binary_noise.eml": {
        "subject": "",
        "from_email": "",
        "defects_has": ["no sender address"],
        "auto_generated": False,
    },
    "bol_webmail_cp1252_as_latin1.eml": {
        "reply_text": "Aparece a mensagem “nota rejeitada” – código 539.",
        "defects": [],
    },
    "bounce_dsn.eml": {"auto_generated": True, "from_email": "mailer-daemon@mx.lojaexemplo.com.br"},
    "bulk_newsletter.eml": {"auto_generated": True},
    "exchange_suppress.eml": {"auto_generated": False, "suppress_auto_answer": True},
    "forward_rfc822.eml": {
        "subject": "Fwd: Proposta comercial",
        "attachments": ["Proposta comercial.eml"],
        "reply_text": "Encaminho a proposta que recebi de vocês. Está válida?",
    },
    "gmail_en_attachment.eml": {
        "from_name": "John Smith",
        "to": ["financeiro@balcao.localhost"],
        "date": "2026-11-25T09:15:00+00:00",
        "attachments": ["invoice-2026-11.pdf"],
        "body_html_not_null": True,
    },
    "gmail_ptbr_reply.eml": {
        "subject": "Re: [#1001] Problema no checkout",
        "message_id": "CAGmail1234567890abcdef@mail.gmail.com",
        "references": ["ticket1001.1764000000.1@balcao.localhost"],
        "reply_text": "Oi, o problema continua mesmo depois de limpar o cache.\n\nSegue o print.",
        "body_has": ["Você pode limpar o cache"],
        "reply_html_lacks": ["escreveu", "limpar o cache do navegador"],
    },
    "html_only_hostile.eml": {
        "reply_has": ["Como agendamos a campanha?", "- Banner"],
        "html_lacks": ["<script", "onload", "javascript:", "onerror", "<style"],
    },
    "malformed_headers.eml": {
        "to": ["suporte@balcao.localhost"],
        "message_id": "sem-colchetes@example.com",
        "date": None,
        "defects_has": ["bad Date header", "no sender address"],
    },
    "missing_headers.eml": {
        "reply_text": "Só o corpo, sem cabeçalhos.",
        "defects_has": ["no headers"],
    },
    "mixed_text_image_text.eml": {
        "reply_text": "Primeira tela:\n\nE a segunda, depois de salvar.",
        "attachments": ["um.png"],
    },
    "outlook_com_res_ptbr.eml": {"reply_text": "Voltou a acontecer hoje."},
    "outlook_desktop_ptbr_cp1252.eml": {
        "subject": "RES: [#1002] Frete não calcula",
        "from_name": "José Araújo",
        "reply_has": ["CEP “01001-000”", "José Araújo"],
        "reply_lacks": ["Enviado:", "pode nos enviar"],
        "reply_html_lacks": ["Enviado", "pode nos enviar"],
        "defects": [],
    },
    "outlook_original_message_latin1.eml": {
        "reply_text": "Prezados, a 2ª via do boleto ainda não chegou. Poderiam reenviar?\n\nObrigado,\nCarlos",
    },
    "outlook_web_en_html_only.eml": {
        "reply_text": "Thanks, that fixed it. You can close the ticket.",
        "body_has": ["Please try resetting your password."],
        "reply_html_lacks": ["Sent:", "resetting"],
    },
    "terra_utf8_declared_latin1.eml": {
        "reply_text": "O pedido nº 4512 não aparece no painel de administração.",
        "defects_has": ["UTF-8"],
    },
    "thunderbird_bottom_post.eml": {
        "reply_text": "About 300 requests per minute, from two servers.\n\nHans",
    },
    "thunderbird_ptbr_flowed.eml": {
        "from_email": "ti@megastore.com.br",
        "reply_text": "A integração voltou a funcionar depois da atualização. Podem fechar.",
    },
    "unknown_charset.eml": {
        "reply_text": "Atenção: promoção de verão.",
        "defects_has": ["unknown charset"],
    },
    "uol_webmail_html_latin1.eml": {
        "subject": "Orçamento de manutenção",
        "from_name": "Fábio Gonçalves",
        "reply_has": ["Olá,", "módulo de cupons"],
        "html_lacks": ["<script"],
    },
    "x_autoreply.eml": {"auto_generated": True},
}
