"""Under the Content-Security-Policy the pages still work: nothing is refused, the menu, the print
buttons and the questions before a form is sent run from wenyun.js."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _refusals(page) -> list[str]:
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return refused


def test_the_portal_and_the_staff_pages_run_nothing_the_policy_refuses(page, live_url, login):
    refused = _refusals(page)

    page.goto(live_url("/"))
    login("library")
    for path in ("/staff/circulation/", "/staff/network/", "/staff/stats/", "/no-such-page/"):
        page.goto(live_url(path))
        page.wait_for_load_state("networkidle")

    assert refused == []


def test_the_menu_opens_on_a_phone(phone_page, live_url):
    refused = _refusals(phone_page)
    phone_page.goto(live_url("/"))

    phone_page.locator(".menu-toggle").click()

    expect(phone_page.locator(".topbar")).to_have_class("topbar open")
    expect(phone_page.locator(".menu-toggle")).to_have_attribute("aria-expanded", "true")
    expect(phone_page.locator(".mainnav")).to_be_visible()
    assert refused == []


def test_the_go_back_link_goes_back(page, live_url):
    page.goto(live_url("/"))
    page.goto(live_url("/no-such-page/"))

    page.locator("a[data-back]").click()

    page.wait_for_url(live_url("/"))
