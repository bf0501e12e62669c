"""End-to-end tests: Debian's Chromium driven by Playwright against a live server."""

import os
import shutil
from pathlib import Path

import pytest

from balcao.console.demo import load_demo

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("BALCAO_ARTIFACTS", "test-artifacts"))

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser():
    # Per module: Playwright's sync API keeps an event loop running in this thread while it
    # lives, and tests that run after it and call async code (the chat's sockets) need none.
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: apt-get install chromium (.ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db, settings):
    # Dummy: tasks are recorded, not run (SLA alerts are scheduled for later: run_after).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    load_demo()


def logged_in(context, base_url: str, email: str):
    """A page of ``context`` signed in as a demo e-mail (password balcao-demo)."""
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base_url}/cliente/entrar/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill("balcao-demo")
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state("networkidle")
    return page


@pytest.fixture
def page_for(browser, live_server, demo):
    """A function giving a logged-in page for a demo e-mail, in a context of its own."""
    contexts = []

    def login(email: str, *, locale: str = "pt-BR", viewport=None):
        context = browser.new_context(
            locale=locale, viewport=viewport or {"width": 1280, "height": 900}
        )
        contexts.append(context)
        return logged_in(context, live_server.url, email)

    yield login
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
