"""Start-up of a process that serves no page: `balcao mail deliver` is started by the MTA for
every message, so what it imports is paid per message."""

import os
import subprocess
import sys

# Each costs 100 ms or more to import; a page-serving process loads them with the URLs.
HEAVY = ["balcao.urls", "balcao.api.views", "balcao.console.views", "ninja", "holidays"]


def test_the_mail_path_loads_no_page_nor_the_holidays_package():
    code = (
        "import sys, django; django.setup();"
        "import balcao.connectors.email.actions, balcao.notifications.delivery;"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "balcao.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
