"""The account page in Chromium: a rep logs a call and it appears in the timeline without a
page load, an invalid entry shows its error in place, and the CSP refuses nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dealbook.activities.models import Activity
from dealbook.customers import services as customer_services
from dealbook.pipeline import services as pipeline_services
from tests.browser.conftest import wait_until
from tests.personas import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _account_of_li():
    world = build_world()
    li = world["li.rep"]
    pipeline_services.pipeline_create_default(actor=None, org=world.org)
    account = customer_services.account_create(
        actor=li, name="上海云帆信息科技有限公司", industry="technology", phone="021-6888 1234"
    )
    customer_services.contact_create(
        actor=li, account_id=account.pk, name="王建国", title="采购经理", phone="138 0013 8000"
    )
    return world, account


def _mark_the_page(page) -> None:
    """A marker on window: a page load would wipe it."""
    page.evaluate("window.__dealbookNoReload = 'still here'")


def test_a_rep_logs_a_call_and_it_appears_without_a_page_load(
    live_server, page, sign_in, csp_violations
):
    world, account = _account_of_li()
    sign_in(page, "li.rep")
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    wait_until(page, "window.htmx !== undefined")
    assert page.locator("h1").inner_text() == "上海云帆信息科技有限公司"
    assert page.locator(".account-contacts .contact").all_inner_texts()[0].startswith("王建国")
    _mark_the_page(page)

    page.check("input[name=kind][value=call]", force=True)
    page.fill("#id_subject", "确认报价与交付时间")
    page.fill("#id_body", "客户希望下周三前收到合同。")
    page.select_option("#id_contact", label="王建国")
    with page.expect_response(lambda r: r.url.endswith(f"/accounts/{account.pk}/log/")) as answer:
        page.click("#log-submit")
    assert answer.value.status == 200
    added = page.locator("#account-timeline .timeline-entry.is-new")
    added.wait_for()
    assert "Call: 确认报价与交付时间" in added.inner_text()
    assert "客户希望下周三前收到合同。" in added.inner_text()
    assert page.evaluate("window.__dealbookNoReload") == "still here"
    assert page.url == f"{live_server.url}/accounts/{account.pk}/"
    # The form is fresh again, and says what was logged.
    assert page.input_value("#id_subject") == ""
    assert page.locator("#log-form .logged").inner_text() == "Logged: 确认报价与交付时间"

    activity = Activity.objects.get(account=account)
    assert (activity.kind, activity.owner_id, activity.contact.name) == (
        "call",
        world["li.rep"].pk,
        "王建国",
    )
    assert csp_violations == []


def test_an_invalid_entry_shows_its_error_in_place_and_logs_nothing(
    live_server, page, sign_in, csp_violations
):
    _world, account = _account_of_li()
    sign_in(page, "li.rep")
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    wait_until(page, "window.htmx !== undefined")
    _mark_the_page(page)
    page.click("label[for=id_kind_3]")  # Task: the due date shows
    assert page.locator(".due-field").is_visible()
    page.click("label[for=id_kind_0]")  # Call: it hides again
    assert not page.locator(".due-field").is_visible()
    page.click("#log-submit")
    error = page.locator("[data-field=subject] .field-error")
    error.wait_for()
    assert error.inner_text() == "This field is required."
    assert page.evaluate("window.__dealbookNoReload") == "still here"
    assert not Activity.objects.exists()
    assert csp_violations == []


def test_the_account_page_and_home_fit_a_phone(live_server, phone_page, sign_in):
    _world, account = _account_of_li()
    sign_in(phone_page, "li.rep")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.goto(f"{live_server.url}/accounts/{account.pk}/")
    assert phone_page.locator("#log-submit").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.goto(f"{live_server.url}/accounts/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_rep_opening_another_teams_account_gets_not_found(live_server, page, sign_in):
    world = build_world()
    theirs = customer_services.account_create(actor=world["liu.rep"], name="华南电子")
    sign_in(page, "li.rep")
    response = page.goto(f"{live_server.url}/accounts/{theirs.pk}/")
    assert response.status == 404
    assert "华南电子" not in page.content()


@pytest.mark.skipif(
    os.environ.get("DEALBOOK_SCREENSHOTS") != "1", reason="set DEALBOOK_SCREENSHOTS=1"
)
def test_screenshots_of_a_demo_account(live_server, page, sign_in):
    from dealbook.customers import selectors as customer_selectors
    from dealbook.demo.build import build_demo
    from dealbook.org.models import User

    build_demo(seed=7, scale=0.05)
    manager = User.objects.get(username="zhang.manager")
    busiest = customer_selectors.account_list(actor=manager, sort="-last_activity_at").first()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, "zhang.manager")
    page.goto(f"{live_server.url}/accounts/{busiest.pk}/")
    page.wait_for_selector("#account-timeline")
    page.screenshot(path=str(SCREENSHOTS / "account-en.png"))
    page.click("#user-menu-button")
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    page.goto(f"{live_server.url}/accounts/{busiest.pk}/")
    page.wait_for_selector("#account-timeline")
    page.screenshot(path=str(SCREENSHOTS / "account-zh-hans.png"))
