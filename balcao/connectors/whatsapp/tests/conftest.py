"""A fake Graph API on a real local socket, Meta's documented webhook payloads, and signing."""

import hashlib
import hmac
import json
import threading
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from balcao.accounts.models import Department
from balcao.connectors.whatsapp.models import BusinessNumber, WhatsAppIdentity
from balcao.factories import make_company

SECRET = "app-secret-de-teste"
VERIFY = "token-de-verificacao"
COMMERCIAL_ID, SUPPORT_ID = "106540352242922", "106540352242923"


class FakeGraph:
    """Records every request; answers sends with a new wamid, uploads with a media id, media
    with its URL and bytes. ``fail`` queues (status, error body) answers for the next sends,
    ``fail_gets`` for the next GETs."""

    def __init__(self):
        self.requests = []
        self.media = {}
        self.uploads = []
        self.fail = []
        self.fail_gets = []
        self.sent = 0
        self.url = ""

    def sends(self):
        return [r for r in self.requests if r["method"] == "POST" and "json" in r]


def _handler(graph: FakeGraph):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, status: int, body: bytes, content_type="application/json"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path.endswith("/media"):
                return self._upload(raw)
            body = json.loads(raw)
            graph.requests.append(
                {
                    "method": "POST",
                    "path": self.path,
                    "json": body,
                    "auth": self.headers["Authorization"],
                }
            )
            failure = graph.fail.pop(0) if graph.fail else None
            if failure is not None:
                status, error = failure
                return self._answer(status, json.dumps({"error": error}).encode())
            graph.sent += 1
            wamid = f"wamid.OUT{graph.sent}"
            self._answer(
                200,
                json.dumps(
                    {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                        "messages": [{"id": wamid}],
                    }
                ).encode(),
            )

        def _upload(self, raw: bytes):
            """Meta's POST /PHONE_NUMBER_ID/media: a multipart form with messaging_product,
            type and file; answers {"id": MEDIA_ID}."""
            message = BytesParser(policy=default).parsebytes(
                b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + raw
            )
            fields = {
                part.get_param("name", header="content-disposition"): part
                for part in message.iter_parts()
            }
            upload = {
                "path": self.path,
                "auth": self.headers["Authorization"],
                "messaging_product": fields["messaging_product"].get_content().strip(),
                "type": fields["type"].get_content().strip(),
                "filename": fields["file"].get_filename(),
                "content": fields["file"].get_payload(decode=True),
            }
            graph.uploads.append(upload)
            graph.requests.append({"method": "POST", "path": self.path})
            self._answer(200, json.dumps({"id": f"UP{len(graph.uploads)}"}).encode())

        def do_GET(self):
            graph.requests.append(
                {"method": "GET", "path": self.path, "auth": self.headers["Authorization"]}
            )
            if graph.fail_gets:
                status, error = graph.fail_gets.pop(0)
                return self._answer(status, json.dumps({"error": error}).encode())
            media_id, _sep, query = self.path.strip("/").partition("?")
            if self.path.startswith("/files/"):
                content, mime = graph.media[self.path.removeprefix("/files/")]
                return self._answer(200, content, mime)
            if media_id in graph.media and query == f"phone_number_id={SUPPORT_ID}":
                content, mime = graph.media[media_id]
                return self._answer(
                    200,
                    json.dumps(
                        {
                            "messaging_product": "whatsapp",
                            "url": f"{graph.url}/files/{media_id}",
                            "mime_type": mime,
                            "sha256": hashlib.sha256(content).hexdigest(),
                            "file_size": len(content),
                            "id": media_id,
                        }
                    ).encode(),
                )
            self._answer(
                404, json.dumps({"error": {"message": "Unknown media", "code": 100}}).encode()
            )

    return Handler


@pytest.fixture
def graph(settings):
    fake = FakeGraph()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WHATSAPP_API_URL = fake.url
    settings.WHATSAPP_TOKEN = "token-de-acesso"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def whatsapp(settings, profile, media):
    settings.WHATSAPP_APP_SECRET = SECRET
    settings.WHATSAPP_VERIFY_TOKEN = VERIFY
    commercial = BusinessNumber.objects.create(
        phone_number_id=COMMERCIAL_ID,
        display_number="+55 11 4000-0001",
        channel=BusinessNumber.Kind.COMMERCIAL,
        department=Department.objects.get(slug="atendimento"),
    )
    support = BusinessNumber.objects.create(
        phone_number_id=SUPPORT_ID,
        display_number="+55 11 4000-0002",
        channel=BusinessNumber.Kind.SUPPORT,
        department=Department.objects.get(slug="suporte"),
    )
    return commercial, support


@pytest.fixture
def mega(whatsapp):
    """A TEAM company (both WhatsApp channels) whose primary contact's number is registered."""
    company, primary = make_company("team", name="Mega Store")
    WhatsAppIdentity.objects.create(wa_id="5511987654321", contact=primary.contact)
    return company, primary


@pytest.fixture
def loja(whatsapp):
    """An Essencial company: WhatsApp Comercial only."""
    company, primary = make_company("essencial", name="Loja Exemplo")
    WhatsAppIdentity.objects.create(wa_id="5521912345678", contact=primary.contact)
    return company, primary


_seq = iter(range(1, 10**9))


def text_message(sender: str, body: str, **extra) -> dict:
    return {
        "from": sender,
        "id": f"wamid.IN{next(_seq)}",
        "timestamp": str(int(timezone.now().timestamp())),
        "type": "text",
        "text": {"body": body},
        **extra,
    }


def notification(*, messages=(), statuses=(), phone_number_id=SUPPORT_ID, name="Cliente") -> dict:
    """Meta's webhook notification: one entry, one change of field ``messages``."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "551140000002", "phone_number_id": phone_number_id},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": m["from"]} for m in messages]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client, payload, *, raw: bytes | None = None, signature: str | None = None):
    body = raw if raw is not None else json.dumps(payload).encode()
    return client.post(
        "/whatsapp/webhook/",
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature if signature is not None else sign(body)},
    )
