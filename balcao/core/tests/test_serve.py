"""How `balcao serve` starts uvicorn."""

import pytest
import uvicorn
from django.core.management import call_command


@pytest.mark.parametrize("access_log", [True, False])
def test_the_access_log_follows_the_setting(settings, monkeypatch, access_log):
    """A line per request by default; off (ACCESS_LOG=0) where the proxy logs them instead."""
    started = {}
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8000")  # adopt_site_url leaves it be
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options))
    settings.ACCESS_LOG = access_log
    call_command("serve", "--port", "8123")
    assert started["access_log"] is access_log
    assert started["port"] == 8123
