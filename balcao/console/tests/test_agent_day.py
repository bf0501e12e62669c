"""The agent's day in the console: notifications (counter, list, preferences), following,
next ticket, and attachments previewed safely with e-mails' inline images in place."""

import pytest

from balcao.console.tests.conftest import text, url
from balcao.factories import StaffFactory, open_ticket
from balcao.notifications.models import Kind, Notification, NotificationPreference
from balcao.tickets import actions
from balcao.tickets.actions import NewAttachment
from balcao.tickets.models import Attachment

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def notified(tasks, django_capture_on_commit_callbacks, act):
    with django_capture_on_commit_callbacks(execute=True):
        return act()


def test_the_counter_and_the_list_show_what_the_agent_was_told(
    as_agent, customer, suporte_agent, tasks, django_capture_on_commit_callbacks
):
    assert 'data-count="0"' in text(as_agent.get(url("notification_count")))
    ticket = notified(
        tasks, django_capture_on_commit_callbacks, lambda: open_ticket(customer, subject="Pix")
    )
    count = as_agent.get(url("notification_count"))
    assert 'data-count="1"' in text(count) and '"outerHTML">1</span>' in text(count)
    page = as_agent.get(url("notifications"))
    assert f"New ticket #{ticket.number}" in text(page) or f"Novo chamado #{ticket.number}" in text(
        page
    )
    item = Notification.objects.get(recipient=suporte_agent)
    opened = as_agent.get(url("notification", item.pk))
    assert opened["Location"] == url("ticket", ticket.number)
    item.refresh_from_db()
    assert item.read_at is not None
    assert 'data-count="0"' in text(as_agent.get(url("notification_count")))


def test_someone_elses_notification_is_not_found(
    client, customer, suporte_agent, tasks, django_capture_on_commit_callbacks
):
    notified(tasks, django_capture_on_commit_callbacks, lambda: open_ticket(customer))
    item = Notification.objects.get(recipient=suporte_agent)
    other = StaffFactory(departments=["suporte"])
    client.force_login(other)
    assert client.get(url("notification", item.pk)).status_code == 404
    item.refresh_from_db()
    assert item.read_at is None


def test_preferences_page_saves_each_way_per_kind(as_agent, suporte_agent):
    page = as_agent.get(url("notification_preferences"))
    assert page.status_code == 200
    boxes = [f'name="{kind}-{way}"' for kind in Kind.values for way in ("email", "console")]
    assert all(text(page).count(box) == 1 for box in boxes)
    form = {f"{kind}-email": "on" for kind in Kind.values} | {
        f"{kind}-console": "on" for kind in Kind.values
    }
    del form["new_ticket-email"]
    as_agent.post(url("notification_preferences"), form)
    chosen = NotificationPreference.objects.get(user=suporte_agent, kind=Kind.NEW_TICKET)
    assert (chosen.by_email, chosen.in_console) == (False, True)


def test_follow_toggles_and_is_loaded_apart(as_agent, ticket, suporte_agent):
    assert "Follow" in text(as_agent.get(url("follow", ticket.number))) or "Seguir" in text(
        as_agent.get(url("follow", ticket.number))
    )
    as_agent.post(url("follow", ticket.number), {"follow": "on"})
    assert ticket.followers.filter(user=suporte_agent).exists()
    as_agent.post(url("follow", ticket.number), {"follow": "off"})
    assert not ticket.followers.exists()


def test_next_ticket_is_the_longest_waiting_mine_or_nobodys(
    as_agent, customer, suporte_agent, ticket
):
    other = StaffFactory(departments=["suporte"])
    theirs = open_ticket(customer, subject="Deles")
    actions.do_assign_ticket(theirs, actor=other, assignee=other)
    waiting = open_ticket(customer, subject="Esperando")
    assert as_agent.get(url("next", ticket.number))["Location"] == url("ticket", waiting.number)
    actions.do_close_ticket(waiting, actor=suporte_agent)
    assert as_agent.get(url("next", ticket.number))["Location"] == url("tickets")


def test_ticket_page_has_presence_shortcuts_and_the_console_script(as_agent, ticket):
    page = text(as_agent.get(url("ticket", ticket.number)))
    assert f'data-socket="/ws/console/tickets/{ticket.number}/presence/"' in page
    assert 'id="shortcuts"' in page and "<kbd>?</kbd>" in page
    assert "console/console.js" in page


def test_images_and_pdfs_preview_inline_in_a_sandbox_others_only_download(
    as_agent, customer, ticket, media
):
    message = actions.do_add_message(
        ticket,
        actor=customer,
        body="Prints",
        attachments=[
            NewAttachment("tela.png", "image/png", PNG),
            NewAttachment("boleto.pdf", "application/pdf", b"%PDF-1.4"),
            NewAttachment("pagina.html", "text/html", b"<script>alert(1)</script>"),
            NewAttachment("logo.svg", "image/svg+xml", b"<svg onload='alert(1)'/>"),
        ],
    )
    png, pdf, html, svg = message.attachments.order_by("id")
    for item, kind in ((png, "image/png"), (pdf, "application/pdf")):
        shown = as_agent.get(url("attachment_preview", item.pk))
        assert shown["Content-Type"] == kind
        assert shown["Content-Disposition"].startswith("inline")
        assert shown["Content-Security-Policy"].startswith("sandbox")
        assert shown["X-Content-Type-Options"] == "nosniff"
    for item in (html, svg):
        served = as_agent.get(url("attachment_preview", item.pk))
        assert served["Content-Disposition"].startswith("attachment")
        assert served["Content-Security-Policy"].startswith("sandbox")
    page = text(as_agent.get(url("ticket", ticket.number)))
    assert f'<img src="{url("attachment_preview", png.pk)}"' in page
    assert url("attachment_preview", pdf.pk) in page
    assert url("attachment_preview", html.pk) not in page


def test_a_ticket_out_of_sight_has_no_preview(client, customer, ticket, media):
    message = actions.do_add_message(
        ticket, actor=customer, body="x", attachments=[NewAttachment("a.png", "image/png", PNG)]
    )
    client.force_login(StaffFactory(departments=["financeiro"]))
    assert client.get(url("attachment_preview", message.attachments.get().pk)).status_code == 404


def test_inline_cid_images_of_an_e_mail_are_shown_in_place(as_agent, customer, ticket, media):
    message = actions.do_add_message(
        ticket,
        actor=None,
        author_email=customer.email,
        channel="email",
        body="",
        body_html='<p>Veja:</p><img src="cid:print1@cliente" alt="print">',
        attachments=[
            NewAttachment(
                "image001.png", "image/png", PNG, inline=True, content_id="print1@cliente"
            )
        ],
    )
    item = Attachment.objects.get(message=message)
    page = text(as_agent.get(url("ticket", ticket.number)))
    assert f'<img src="{url("attachment_preview", item.pk)}" alt="print">' in page
    assert "cid:" not in page
