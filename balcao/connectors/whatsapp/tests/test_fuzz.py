"""Property: whatever a signed notification holds — noise, or Meta's payload with parts
replaced by random JSON — the funnel never raises and the webhook never answers 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balcao.connectors.whatsapp.actions import do_receive_webhook
from balcao.connectors.whatsapp.models import Webhook
from balcao.connectors.whatsapp.tests.conftest import SUPPORT_ID, post

pytestmark = pytest.mark.django_db

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=12,
)
KINDS = st.sampled_from(
    [
        "text",
        "image",
        "document",
        "audio",
        "video",
        "sticker",
        "location",
        "interactive",
        "button",
        "reaction",
        "unsupported",
    ]
)


@st.composite
def notifications(draw):
    kind = draw(KINDS)
    message = {
        "from": draw(
            st.sampled_from(["5511987654321", "5531999990000", "+55 (31) 9999-0000", ""]) | JSON
        ),
        "id": draw(st.text(min_size=1, max_size=20) | JSON),
        "timestamp": draw(st.sampled_from(["1773241200", "-1", "99999999999999999999"]) | JSON),
        "type": kind,
        kind: draw(
            JSON
            | st.fixed_dictionaries(
                {
                    "body": st.text(max_size=50),
                    "caption": st.text(max_size=20),
                    "id": st.text(max_size=5),
                }
            )
        ),
        "context": draw(JSON),
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": draw(st.just({"phone_number_id": SUPPORT_ID}) | JSON),
        "contacts": draw(JSON),
        "messages": draw(st.lists(st.just(message) | JSON, max_size=2) | JSON),
        "statuses": draw(
            st.lists(
                st.fixed_dictionaries({"id": JSON, "status": JSON, "errors": JSON}), max_size=2
            )
            | JSON
        ),
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(draw(st.just(payload) | JSON)).encode()


BODIES = st.one_of(notifications(), st.binary(max_size=200))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=BODIES)
def test_funnel_never_raises_and_keeps_the_payload(mega, graph, raw):
    result = do_receive_webhook(raw)
    stored = Webhook.objects.latest("id")
    assert bytes(stored.raw) == raw and stored.state != Webhook.State.RECEIVED
    assert not result.error or stored.state == Webhook.State.FAILED


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=BODIES)
def test_webhook_never_answers_500(client, mega, graph, raw):
    assert post(client, None, raw=raw).status_code in (200, 400)
