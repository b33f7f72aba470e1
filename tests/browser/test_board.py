"""The pipeline board in Chromium: drag a card to the next stage and the deal moves there (in
the database, with its stage history), the board in Chinese, another team's deal is a 404,
and nothing is refused by the Content-Security-Policy.

With DEALBOOK_SCREENSHOTS=1 the demo organisation's board, as the manager sees it, is saved
to docs/screenshots/board-en.png and board-zh-hans.png.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from dealbook.customers import services as customer_services
from dealbook.pipeline import services as pipeline_services
from dealbook.pipeline.models import Deal, StageHistory
from tests.browser.conftest import wait_until
from tests.personas import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _world_with_deals():
    world = build_world()
    pipeline_services.pipeline_create_default(actor=None, org=world.org)
    li, liu = world["li.rep"], world["liu.rep"]
    mine = customer_services.account_create(actor=li, name="云帆信息科技")
    theirs = customer_services.account_create(actor=liu, name="南方贸易")
    deal = pipeline_services.deal_create(
        actor=li,
        account_id=mine.pk,
        name="云帆 ERP 项目",
        amount=Decimal("120000"),
        expected_close_date=timezone.localdate() + dt.timedelta(days=30),
    )
    other = pipeline_services.deal_create(actor=liu, account_id=theirs.pk, name="South CRM")
    return world, deal, other


def _column_cards(page, stage_name: str) -> list[str]:
    column = page.locator(".board-column", has=page.locator(f"h2:text-is('{stage_name}')"))
    return [name.strip() for name in column.locator(".board-card .deal-name").all_inner_texts()]


def test_a_rep_drags_a_card_to_the_next_stage(live_server, page, sign_in, csp_violations):
    _world, deal, _other = _world_with_deals()
    sign_in(page, "li.rep")
    page.click("[data-nav=pipeline]")
    page.wait_for_url(f"{live_server.url}/pipeline/")
    assert page.locator("h1").inner_text().startswith("Pipeline")
    assert _column_cards(page, "Qualification") == ["云帆 ERP 项目"]
    wait_until(page, "window.Sortable !== undefined")

    card = page.locator(f".board-card[data-deal-id='{deal.pk}']")
    target = page.locator(".board-column", has=page.locator("h2:text-is('Needs analysis')"))
    with page.expect_response(lambda r: r.url.startswith(f"{live_server.url}/deals/")) as moved:
        card.drag_to(target.locator(".board-cards"))
    assert moved.value.status == 200
    assert moved.value.request.headers.get("x-csrftoken")
    wait_until(page, "document.querySelector('.board-card[data-version=\"2\"]') !== null")
    assert _column_cards(page, "Needs analysis") == ["云帆 ERP 项目"]
    assert _column_cards(page, "Qualification") == []

    deal.refresh_from_db()
    assert (deal.stage.name, deal.version) == ("Needs analysis", 2)
    stays = list(
        StageHistory.objects.filter(deal=deal)
        .order_by("entered_at", "id")
        .values_list("stage__name", "from_stage__name", "left_at")
    )
    assert [(stage, origin) for stage, origin, _left in stays] == [
        ("Qualification", None),
        ("Needs analysis", "Qualification"),
    ]
    assert stays[0][2] is not None and stays[1][2] is None
    assert csp_violations == []


def test_a_stage_that_needs_fields_asks_for_them_in_a_dialog(
    live_server, page, sign_in, csp_violations
):
    world, deal, _other = _world_with_deals()
    contact = customer_services.contact_create(
        actor=world["li.rep"], account_id=deal.account_id, name="王总"
    )
    sign_in(page, "li.rep")
    page.goto(f"{live_server.url}/pipeline/")
    wait_until(page, "window.Sortable !== undefined")
    card = page.locator(f".board-card[data-deal-id='{deal.pk}']")
    target = page.locator(".board-column", has=page.locator("h2:text-is('Proposal')"))
    card.drag_to(target.locator(".board-cards"))
    dialog = page.locator("#move-dialog")
    dialog.wait_for(state="visible")
    assert dialog.locator(".required-fields strong").inner_text() == "Contacts"
    dialog.locator("select[name=contact_ids]").select_option(str(contact.pk))
    dialog.locator("button[type=submit]").click()
    dialog.wait_for(state="detached")
    assert _column_cards(page, "Proposal") == ["云帆 ERP 项目"]
    deal.refresh_from_db()
    assert deal.stage.name == "Proposal"
    assert list(deal.contacts.values_list("pk", flat=True)) == [contact.pk]
    assert csp_violations == []


def test_cancelling_the_dialog_puts_the_card_back(live_server, page, sign_in):
    _world, deal, _other = _world_with_deals()
    sign_in(page, "li.rep")
    page.goto(f"{live_server.url}/pipeline/")
    wait_until(page, "window.Sortable !== undefined")
    card = page.locator(f".board-card[data-deal-id='{deal.pk}']")
    target = page.locator(".board-column", has=page.locator("h2:text-is('Lost')"))
    card.drag_to(target.locator(".board-cards"))
    dialog = page.locator("#move-dialog")
    page.locator("#move-dialog[data-shown=true]").wait_for()  # fade-in over: a click counts
    dialog.locator(".modal-footer button[data-bs-dismiss=modal]").click()
    dialog.wait_for(state="detached")
    assert _column_cards(page, "Qualification") == ["云帆 ERP 项目"]
    assert _column_cards(page, "Lost") == []
    assert Deal.objects.get(pk=deal.pk).stage.name == "Qualification"


def test_the_board_in_chinese(live_server, page, sign_in, csp_violations):
    _world_with_deals()
    sign_in(page, "li.rep")
    page.click("#user-menu-button")
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    page.goto(f"{live_server.url}/pipeline/")
    assert page.locator("h1").inner_text().startswith("销售流程")
    labels = [label.strip() for label in page.locator("[data-nav]").all_inner_texts()]
    assert labels == ["首页", "客户", "联系人", "销售流程", "线索与公海", "目标"]
    headings = [h.strip() for h in page.locator(".board-column h2").all_inner_texts()]
    assert headings == ["验证客户", "需求分析", "方案报价", "商务谈判", "赢单", "输单"]
    assert csp_violations == []


def test_another_teams_deal_by_url_is_not_found(live_server, page, sign_in):
    _world, _deal, other = _world_with_deals()
    sign_in(page, "li.rep")
    response = page.goto(f"{live_server.url}/deals/{other.pk}/")
    assert response.status == 404
    assert "South CRM" not in page.content()


def test_the_board_scrolls_sideways_on_a_phone(live_server, phone_page, sign_in):
    _world_with_deals()
    sign_in(phone_page, "li.rep")
    phone_page.goto(f"{live_server.url}/pipeline/")
    columns = phone_page.locator(".board-columns")
    assert columns.evaluate("el => el.scrollWidth > el.clientWidth")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.skipif(
    os.environ.get("DEALBOOK_SCREENSHOTS") != "1", reason="set DEALBOOK_SCREENSHOTS=1"
)
def test_screenshots_of_the_demo_board(live_server, page, sign_in):
    from dealbook.demo.build import build_demo

    build_demo(seed=7, scale=0.05)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, "zhang.manager")
    page.goto(f"{live_server.url}/pipeline/")
    page.wait_for_selector(".board-card")
    page.screenshot(path=str(SCREENSHOTS / "board-en.png"))
    page.click("#user-menu-button")
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    page.goto(f"{live_server.url}/pipeline/")
    page.wait_for_selector(".board-card")
    page.screenshot(path=str(SCREENSHOTS / "board-zh-hans.png"))
