"""Links in e-mails follow the host and port the server was started on, unless SITE_URL says."""

import os

import pytest

from balcao.core.management.commands.serve import adopt_site_url


@pytest.fixture
def environ(monkeypatch, settings):
    monkeypatch.setenv("SITE_URL", "")  # recorded, so the test's value is undone after
    return settings


@pytest.mark.parametrize(
    "host, port, url",
    [
        ("127.0.0.1", 8123, "http://127.0.0.1:8123"),
        ("0.0.0.0", 9000, "http://127.0.0.1:9000"),
        ("balcao.example", 80, "http://balcao.example:80"),
        ("::1", 8000, "http://[::1]:8000"),
    ],
)
def test_site_url_follows_the_server(environ, host, port, url):
    adopt_site_url(host, port)
    assert url == environ.SITE_URL and os.environ["SITE_URL"] == url


def test_a_site_url_that_is_set_wins(environ, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://suporte.example.com")
    environ.SITE_URL = "https://suporte.example.com"
    adopt_site_url("127.0.0.1", 8123)
    assert environ.SITE_URL == "https://suporte.example.com"
