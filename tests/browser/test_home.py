"""The home page in Chromium: a rep's to-dos are hers, a manager's team chart draws, and the
CSP refuses nothing (the chart's data comes from an attribute, its code from a static file)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dealbook.activities import services as activity_services
from dealbook.customers import services as customer_services
from dealbook.pipeline import services as pipeline_services
from tests.personas import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _east_at_work():
    world = build_world()
    pipeline_services.pipeline_create_default(actor=None, org=world.org)
    # Due later today in the organisation's time zone, whatever the clock says: five minutes
    # from now, or the last instant of the day when that would be tomorrow already.
    zone = ZoneInfo(world.org.time_zone)
    now = timezone.now()
    last_instant = dt.datetime.combine(timezone.localdate(now, zone), dt.time.max, tzinfo=zone)
    soon = min(now + dt.timedelta(minutes=5), last_instant)
    for login, company, amount in (
        ("li.rep", "云帆信息科技", "880000"),
        ("wang.rep", "长江物流", "450000"),
    ):
        rep = world[login]
        account = customer_services.account_create(actor=rep, name=company)
        pipeline_services.deal_create(
            actor=rep, account_id=account.pk, name=f"{company} 项目", amount=Decimal(amount)
        )
        activity_services.activity_log(
            actor=rep,
            kind="task",
            subject=f"{rep.display_name} 的待办",
            due_at=soon,
            account_id=account.pk,
        )
        activity_services.activity_log(
            actor=rep, kind="call", subject="电话", account_id=account.pk
        )
    return world


def test_a_reps_home_shows_her_tasks(live_server, page, sign_in, csp_violations):
    _east_at_work()
    sign_in(page, "li.rep")
    assert page.locator("#agenda .agenda-subject").all_inner_texts() == ["李娜 Li Na 的待办"]
    assert page.locator("[data-number=due-today]").inner_text() == "1 due today"
    assert page.locator("#team").count() == 0
    page.click("#agenda a:text('云帆信息科技')")
    page.wait_for_url("**/accounts/*/")
    assert page.locator("h1").inner_text() == "云帆信息科技"
    assert csp_violations == []


def test_a_managers_home_draws_the_team_chart(live_server, page, sign_in, csp_violations):
    _east_at_work()
    sign_in(page, "zhang.manager")
    page.wait_for_selector("#chart-by-stage[data-chart-ready=true] canvas")
    page.wait_for_selector("#chart-by-owner[data-chart-ready=true] canvas")
    assert page.locator("#pipeline-by-owner tbody tr").count() == 2
    assert page.locator("#week .week-table tbody tr").count() == 2
    page.hover("#chart-by-stage canvas")  # the tooltip is drawn on the canvas: nothing refused
    page.wait_for_timeout(300)
    assert csp_violations == []


@pytest.mark.skipif(
    os.environ.get("DEALBOOK_SCREENSHOTS") != "1", reason="set DEALBOOK_SCREENSHOTS=1"
)
def test_screenshots_of_the_demo_managers_home(live_server, page, sign_in):
    from dealbook.demo.build import build_demo

    build_demo(seed=7, scale=0.05)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, "zhang.manager")
    page.wait_for_selector("#chart-by-stage[data-chart-ready=true] canvas")
    page.screenshot(path=str(SCREENSHOTS / "home-manager-en.png"))
    page.click("#user-menu-button")
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#chart-by-stage[data-chart-ready=true] canvas")
    page.screenshot(path=str(SCREENSHOTS / "home-manager-zh-hans.png"))
