"""The workspace shell in Chromium: navigation by role, the language switch, the phone layout,
CSRF on htmx requests, and nothing refused by the Content-Security-Policy."""

from __future__ import annotations

import pytest

from dealbook.org.models import User
from tests.browser.conftest import wait_until
from tests.personas import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _nav_labels(page) -> list[str]:
    return [label.strip() for label in page.locator("[data-nav]").all_inner_texts()]


def test_a_rep_sees_the_sales_navigation(live_server, page, sign_in, csp_violations):
    build_world()
    sign_in(page, "li.rep")
    assert page.url == f"{live_server.url}/"
    assert _nav_labels(page) == [
        "Home",
        "Accounts",
        "Contacts",
        "Pipeline",
        "Leads & pool",
        "Targets",
    ]
    assert page.locator("[data-nav=home]").get_attribute("aria-current") == "page"
    assert page.locator(".notifications .badge").inner_text() == "0"
    assert csp_violations == []


def test_a_manager_navigates_and_searches(live_server, page, sign_in, csp_violations):
    build_world()
    sign_in(page, "zhang.manager")
    assert _nav_labels(page) == [
        "Home",
        "Accounts",
        "Contacts",
        "Pipeline",
        "Leads & pool",
        "Targets",
    ]
    page.fill("#global-search", "云帆")
    page.press("#global-search", "Enter")
    page.wait_for_url(f"{live_server.url}/search/?q=*")
    assert page.locator("h1").inner_text() == "Search results for “云帆”"
    assert page.locator(".search-group h2").all_inner_texts() == [
        "Accounts",
        "Contacts",
        "Deals",
        "Leads",
    ]
    assert csp_violations == []


def test_switching_to_chinese_translates_the_navigation_and_is_remembered(
    live_server, page, sign_in, csp_violations
):
    world = build_world()
    sign_in(page, "li.rep")
    page.click("#user-menu-button")
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert _nav_labels(page) == ["首页", "客户", "联系人", "销售流程", "线索与公海", "目标"]
    assert page.locator("h1").inner_text() == "欢迎，李娜 Li Na"
    assert User.objects.get(pk=world["li.rep"].pk).language == "zh-hans"

    # Signed out and in again (a browser asking for English): still Chinese.
    page.click("#user-menu-button")
    page.click("text=退出登录")
    page.context.clear_cookies()
    sign_in(page, "li.rep")
    assert _nav_labels(page)[0] == "首页"
    assert csp_violations == []


def test_the_phone_layout_collapses_the_navigation_behind_a_toggle(
    live_server, phone_page, sign_in
):
    build_world()
    sign_in(phone_page, "li.rep")
    toggle = phone_page.locator(".navbar-toggler")
    assert toggle.is_visible()
    assert not phone_page.locator("[data-nav=home]").is_visible()
    toggle.click()
    phone_page.wait_for_selector("#workspace-nav.show")
    assert phone_page.locator("[data-nav=home]").is_visible()
    assert phone_page.locator("#global-search").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone


def test_the_desktop_layout_shows_the_navigation_without_a_toggle(live_server, page, sign_in):
    build_world()
    sign_in(page, "li.rep")
    assert not page.locator(".navbar-toggler").is_visible()
    assert page.locator("[data-nav=home]").is_visible()


def test_htmx_requests_that_change_something_carry_the_csrf_token(
    live_server, page, sign_in, csp_violations
):
    """A POST made by htmx passes Django's CSRF check: dealbook.js adds the token."""
    world = build_world()
    sign_in(page, "li.rep")
    wait_until(page, "window.htmx !== undefined")
    page.evaluate(
        """() => {
            const button = document.createElement("button");
            button.id = "htmx-switch";
            button.setAttribute("hx-post", "/language/");
            button.setAttribute("hx-vals", '{"language": "zh-hans", "next": "/"}');
            button.setAttribute("hx-swap", "none");
            document.body.append(button);
            htmx.process(button);
        }"""
    )
    with page.expect_response(lambda response: response.url.endswith("/language/")) as answer:
        page.click("#htmx-switch")
    assert answer.value.status == 302
    assert answer.value.request.headers.get("x-csrftoken")
    assert User.objects.get(pk=world["li.rep"].pk).language == "zh-hans"
    assert csp_violations == []


def test_the_sign_in_page_is_offered_in_both_languages(live_server, page, csp_violations):
    page.goto(f"{live_server.url}/login/")
    assert page.locator("h1").inner_text() == "Sign in to Dealbook"
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.locator("h1").inner_text() == "登录 Dealbook"
    assert csp_violations == []
