"""Files both ways, over a real socket to a fake Graph API: what a customer sends is filed at
once and fetched by a task after the webhook answered (retried, size-limited, a last failure
shown to staff); what an agent attaches goes out as media messages."""

from datetime import UTC, datetime

import pytest
import time_machine

from balcao.connectors.whatsapp.models import InboundMedia, WhatsAppMessage
from balcao.connectors.whatsapp.tasks import download_media_task
from balcao.connectors.whatsapp.tests.conftest import SUPPORT_ID, notification, post, text_message
from balcao.events.models import Event, EventKind
from balcao.factories import StaffFactory
from balcao.tickets.actions import NewAttachment, do_add_message
from balcao.tickets.history import visible_events
from balcao.tickets.models import Message, Ticket
from balcao.tickets.tasks import deliver_reply_task

pytestmark = pytest.mark.django_db

WEDNESDAY_NOON = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
MEGA = "5511987654321"


@pytest.fixture(autouse=True)
def _open_hours():
    with time_machine.travel(WEDNESDAY_NOON, tick=True) as traveller:
        yield traveller


def document(media_id: str, **extra) -> dict:
    return {
        "from": MEGA,
        "id": f"wamid.DOC{media_id}",
        "timestamp": "1773241200",
        "type": "document",
        "document": {
            "filename": "boleto.pdf",
            "mime_type": "application/pdf",
            "sha256": "x",
            "id": media_id,
            **extra,
        },
    }


def downloads(tasks) -> list[tuple[list, object]]:
    return [
        (r.args, r.task.run_after) for r in tasks.results if r.task.name == "download_media_task"
    ]


def test_files_are_filed_at_once_and_fetched_after_the_webhook_answered(
    client, mega, graph, tasks, django_capture_on_commit_callbacks
):
    graph.media["9001"] = (b"%PDF-1.4 boleto", "application/pdf")
    graph.media["9002"] = (b"\x89PNG\r\n\x1a\nimagem", "image/png")
    graph.media["9003"] = (b"OggS voz", "audio/ogg")
    graph.media["9004"] = (b"\x00\x00\x00\x18ftypmp42", "video/mp4")
    image = {
        "from": MEGA,
        "id": "wamid.IMG",
        "timestamp": "1773241201",
        "type": "image",
        "image": {"mime_type": "image/png", "sha256": "y", "id": "9002"},
    }
    audio = {
        "from": MEGA,
        "id": "wamid.AUD",
        "timestamp": "1773241202",
        "type": "audio",
        "audio": {"mime_type": "audio/ogg; codecs=opus", "id": "9003", "voice": True},
    }
    video = {
        "from": MEGA,
        "id": "wamid.VID",
        "timestamp": "1773241203",
        "type": "video",
        "video": {"mime_type": "video/mp4", "id": "9004", "caption": "Veja o erro"},
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            notification(messages=[document("9001", caption="Boleto"), image, audio, video]),
        )
    # The webhook answered without talking to Meta: the messages are filed, the files pending.
    assert response.status_code == 200 and graph.requests == []
    ticket = Ticket.objects.get(number=response.json()["created"][0])
    messages = list(ticket.messages.order_by("id"))
    assert [m.body_text for m in messages] == [
        "Boleto",
        "(Arquivo enviado pelo WhatsApp: whatsapp-image-9002.png.)",
        "(Arquivo enviado pelo WhatsApp: whatsapp-audio-9003.oga.)",
        "Veja o erro",
    ]
    assert not any(m.attachments.exists() for m in messages)
    pending = list(InboundMedia.objects.order_by("id"))
    assert {m.state for m in pending} == {InboundMedia.State.PENDING}
    assert [args for args, _at in downloads(tasks)] == [[m.pk] for m in pending]

    for media in pending:
        download_media_task.call(media.pk)
    pdf, png, ogg, mp4 = (m.attachments.get() for m in messages)
    assert pdf.name == "boleto.pdf" and pdf.file.read() == b"%PDF-1.4 boleto"
    assert png.content_type == "image/png" and ogg.content_type == "audio/ogg"
    assert mp4.file.read() == b"\x00\x00\x00\x18ftypmp42"
    assert {m.state for m in InboundMedia.objects.all()} == {InboundMedia.State.DONE}
    assert {r["auth"] for r in graph.requests} == {"Bearer token-de-acesso"}
    assert [r["path"] for r in graph.requests[:2]] == [
        f"/9001?phone_number_id={SUPPORT_ID}",
        "/files/9001",
    ]
    # Run again (a worker retaking the task): nothing is attached twice.
    download_media_task.call(pending[0].pk)
    assert messages[0].attachments.count() == 1


def test_a_failing_download_is_retried_with_backoff_then_succeeds(client, mega, graph, tasks):
    graph.media["9001"] = (b"%PDF-1.4 boleto", "application/pdf")
    graph.fail_gets = [(500, {"message": "Service unavailable", "code": 2})] * 2
    post(client, notification(messages=[document("9001")]))
    media = InboundMedia.objects.get()
    download_media_task.call(media.pk)
    download_media_task.call(media.pk)
    media.refresh_from_db()
    assert media.state == InboundMedia.State.PENDING and media.attempts == 2
    assert "HTTP 500" in media.error
    retries = downloads(tasks)
    assert [args for args, _at in retries] == [[media.pk], [media.pk]]
    delays = [round((at - WEDNESDAY_NOON).total_seconds() / 60) for _args, at in retries]
    assert delays == [1, 2]  # the tickets' backoff: 1, 2, 4, 8 minutes
    download_media_task.call(media.pk)
    media.refresh_from_db()
    assert media.state == InboundMedia.State.DONE
    assert media.whatsapp_message.message.attachments.count() == 1


def test_the_last_failure_is_shown_to_staff_and_the_message_kept(client, mega, graph):
    graph.fail_gets = [(503, {"message": "Down"})] * 5
    post(client, notification(messages=[document("9001", caption="Segue o boleto")]))
    media = InboundMedia.objects.get()
    for _ in range(5):
        download_media_task.call(media.pk)
    media.refresh_from_db()
    assert media.state == InboundMedia.State.FAILED and media.attempts == 5
    message = media.whatsapp_message.message
    assert message.body_text == "Segue o boleto" and not message.attachments.exists()
    [event] = Event.objects.filter(kind=EventKind.ATTACHMENT_FAILED)
    agent = StaffFactory(departments=["suporte"])
    texts = [e.text for e in visible_events(agent, message.ticket) if hasattr(e, "text")]
    assert any("boleto.pdf" in t and "HTTP 503" in t for t in texts), texts
    customer = message.ticket.requester
    assert not any(
        "boleto.pdf" in getattr(e, "text", "") for e in visible_events(customer, message.ticket)
    )
    download_media_task.call(media.pk)  # a late duplicate does nothing more
    assert Event.objects.filter(kind=EventKind.ATTACHMENT_FAILED).count() == 1
    assert event.ticket == message.ticket


def test_too_large_or_unknown_files_fail_at_once(client, mega, graph, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    graph.media["9001"] = (b"%PDF-1.4 boleto grande", "application/pdf")
    post(client, notification(messages=[document("9001"), document("404")]))
    large, unknown = InboundMedia.objects.order_by("id")
    download_media_task.call(large.pk)
    download_media_task.call(unknown.pk)
    large.refresh_from_db()
    unknown.refresh_from_db()
    assert large.state == unknown.state == InboundMedia.State.FAILED
    assert "more than 10" in large.error and "HTTP 404" in unknown.error
    # Meta said the size: the file itself was never requested.
    assert "/files/9001" not in [r["path"] for r in graph.requests]


def test_an_agent_s_files_go_out_as_media_messages(client, mega, graph, media):
    incoming = text_message(MEGA, "Mandem a nota fiscal")
    number = post(client, notification(messages=[incoming])).json()["created"][0]
    ticket = Ticket.objects.get(number=number)
    agent = StaffFactory(departments=["suporte"])
    reply = do_add_message(
        ticket,
        actor=agent,
        body="Segue a nota e o print.",
        attachments=[
            NewAttachment("nota.pdf", "application/pdf", b"%PDF-1.4 nota"),
            NewAttachment("print.png", "image/png", b"\x89PNG print"),
        ],
    )
    deliver_reply_task.call(reply.pk, 1)
    assert [(u["path"], u["type"], u["filename"], u["content"]) for u in graph.uploads] == [
        (f"/{SUPPORT_ID}/media", "application/pdf", "nota.pdf", b"%PDF-1.4 nota"),
        (f"/{SUPPORT_ID}/media", "image/png", "print.png", b"\x89PNG print"),
    ]
    assert {u["messaging_product"] for u in graph.uploads} == {"whatsapp"}
    assert [s["json"]["type"] for s in graph.sends()] == ["text", "document", "image"]
    _text, pdf, png = (s["json"] for s in graph.sends())
    assert pdf["document"] == {"id": "UP1", "filename": "nota.pdf"}
    assert png["image"] == {"id": "UP2"}
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.SENT
    rows = WhatsAppMessage.objects.filter(direction=WhatsAppMessage.Direction.OUTBOUND)
    assert sorted(r.kind for r in rows) == ["document", "image", "text"]
    assert {r.message_id for r in rows} == {reply.pk}


def test_a_retry_sends_only_what_did_not_leave(client, mega, graph, media, tasks):
    incoming = text_message(MEGA, "Mandem a nota fiscal")
    number = post(client, notification(messages=[incoming])).json()["created"][0]
    ticket = Ticket.objects.get(number=number)
    reply = do_add_message(
        ticket,
        actor=StaffFactory(departments=["suporte"]),
        body="Segue a nota.",
        attachments=[NewAttachment("nota.pdf", "application/pdf", b"%PDF-1.4 nota")],
    )
    graph.fail = [None, (500, {"message": "Temporarily unavailable", "code": 2})]
    deliver_reply_task.call(reply.pk, 1)
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.PENDING  # retried later, not failed
    deliver_reply_task.call(reply.pk, 2)
    sent = [s["json"]["type"] for s in graph.sends()]
    assert sent == ["text", "document", "document"]  # the text once; the failed file again
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.SENT and reply.message_id == "wamid.OUT1"
