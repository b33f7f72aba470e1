"""Browser tests: Playwright driving Debian's Chromium against a live server.

Skipped when Chromium is absent, unless REQUIRE_BROWSER=1 (CI), where its absence fails.
"""

from __future__ import annotations

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def browser():
    if not _chromium_available():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but Chromium was not found at {CHROMIUM}.")
        pytest.skip(
            f"Chromium not found at {CHROMIUM}; set REQUIRE_BROWSER=1 to make this an error."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    """A phone-sized page (390×844, touch), as a rep in the field has."""
    context = browser.new_context(
        locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def csp_violations(page):
    """Console errors of `page` that report something the Content-Security-Policy refused."""
    refused: list[str] = []

    def watch(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", watch)
    return refused


@pytest.fixture
def sign_in(live_server):
    """sign_in(page, login) → the page signed in as `login` (demo password), on the home page."""

    def sign_in_as(page, login: str, password: str = "dealbook-demo"):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", login)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        return page

    return sign_in_as


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Wait until `expression` is true in the page. Playwright's wait_for_function polls
    with code it evaluates from a string, which the page's CSP (no 'unsafe-eval') refuses
    whenever the first check fails; page.evaluate goes through the DevTools protocol."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {expression}")
        page.wait_for_timeout(50)
