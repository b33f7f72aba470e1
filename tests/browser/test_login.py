from __future__ import annotations

import pytest

from tests.personas import PERSONAS, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base_url: str, login: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_every_persona_signs_in_and_sees_their_role(live_server, page):
    build_world()
    for login, display, _role, _team in PERSONAS:
        _sign_in(page, live_server.url, login, "dealbook-demo")
        assert page.url == f"{live_server.url}/"
        assert page.locator("h1").inner_text() == f"Welcome, {display}"
        page.click("#user-menu-button")  # sign out sits in the user menu
        page.click("text=Sign out")
        assert "/login/" in page.url or page.url.endswith("/")


def test_wrong_password_stays_on_login_with_error(live_server, page):
    build_world()
    _sign_in(page, live_server.url, "li.rep", "wrong-password")
    assert page.url.startswith(f"{live_server.url}/login/")
    assert (
        page.locator(".error").inner_text()
        == "Your login and password didn't match. Please try again."
    )
