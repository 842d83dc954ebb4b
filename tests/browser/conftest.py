"""Browser tests: Playwright drives Debian's /usr/bin/chromium (never a downloaded browser) against
pytest-django's live server on the test database.

    @pytest.mark.browser
    def test_something(page, live_url, login):
        login("admin")                      # a demo account, password wenyun-demo
        page.goto(live_url("/staff/network/"))
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def live_url(live_server, county):
    return lambda path="/": f"{live_server.url}{path}"


@pytest.fixture
def page(browser, live_url):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_url):
    """A 390×844 phone screen, as a village manager holds it."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login(page, live_url):
    def do(username: str, password: str = "wenyun-demo", on=None):
        target = on or page
        target.goto(live_url("/login/"))
        target.fill("#id_username", username)
        target.fill("#id_password", password)
        target.click("button[type=submit]")
        target.wait_for_load_state()
        return target

    return do


@pytest.fixture
def screenshot(tmp_path):
    """Save a screenshot: under docs/screenshots/ (the README shows them) when WENYUN_SCREENSHOTS is set
    (`make screenshots`), else in a scratch folder, so a test run leaves the tree as it found it."""
    folder = SCREENSHOTS if os.environ.get("WENYUN_SCREENSHOTS") else tmp_path

    def take(page, name: str, full_page: bool = False):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)

    return take
