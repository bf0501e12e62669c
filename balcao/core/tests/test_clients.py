"""The client's address: X-Forwarded-For is believed only from a trusted proxy, and then only
its rightmost untrusted hop — what a client writes in the header itself is never read."""

import pytest
from django.core.checks import run_checks
from django.test import RequestFactory

from balcao.core.clients import client_address


def address(remote: str, forwarded: str | None = None) -> str:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert address("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_an_untrusted_peer_cannot_choose_its_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address("203.0.113.9", "10.0.0.5") == "203.0.113.9"
    assert address("203.0.113.9", "198.51.100.1, 10.0.0.5") == "203.0.113.9"


def test_behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1", "192.168.0.0/24"]
    assert address("10.0.0.1", "198.51.100.1") == "198.51.100.1"
    # The client wrote "1.2.3.4" itself; the proxies appended what they saw.
    assert address("10.0.0.1", "1.2.3.4, 198.51.100.1, 192.168.0.7") == "198.51.100.1"
    # Only proxies: the farthest one is all that is known.
    assert address("10.0.0.1", "192.168.0.9") == "192.168.0.9"
    # Nothing usable where the proxy should have written the address: the proxy itself.
    assert address("10.0.0.1", "garbage") == "10.0.0.1"
    assert address("10.0.0.1", "") == "10.0.0.1"
    assert address("10.0.0.1") == "10.0.0.1"


def test_ipv6_and_ports(settings):
    settings.TRUSTED_PROXIES = ["::1", "127.0.0.1"]
    assert address("::1", "[2001:db8::5]:4431") == "2001:db8::5"
    assert address("127.0.0.1", "203.0.113.9:5000") == "203.0.113.9"
    assert address("::ffff:127.0.0.1", "2001:db8::7") == "2001:db8::7"


def test_no_request_no_address():
    assert client_address(None) == ""


@pytest.mark.parametrize("entry", ["10.0.0.1", "10.0.0.0/8", "::1", "2001:db8::/32"])
def test_addresses_and_networks_pass_the_check(settings, entry):
    settings.TRUSTED_PROXIES = [entry]
    assert not [e for e in run_checks() if e.id == "balcao.E002"]


def test_a_bad_entry_fails_the_check(settings):
    settings.TRUSTED_PROXIES = ["proxy.example"]
    assert [e.id for e in run_checks() if e.id == "balcao.E002"] == ["balcao.E002"]
