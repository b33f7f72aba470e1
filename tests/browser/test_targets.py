"""Targets in Chromium: a manager sets a target from the recommendation, cascades his team's
target over his people and sees the pacing chart; the same page in 简体中文. The CSP refuses
nothing (charts from data attributes, the dialog's behaviour from a static file)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dealbook.customers import services as customer_services
from dealbook.pipeline import services as pipeline_services
from dealbook.pipeline.models import Deal, Stage
from dealbook.targets import selectors, services
from dealbook.targets.models import Target
from dealbook.targets.periods import local_today, period_containing
from tests.browser.conftest import wait_until
from tests.personas import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _east_with_history():
    """Won deals of li's over the past year, and a draft target of team East for this quarter."""
    world = build_world()
    pipeline_services.pipeline_create_default(actor=None, org=world.org)
    won = Stage.objects.get(org=world.org, kind="won")
    for days_ago, amount in ((20, "150000"), (80, "90000"), (150, "120000"), (260, "80000")):
        account = customer_services.account_create(actor=world["li.rep"], name=f"客户 {days_ago}")
        deal = pipeline_services.deal_create(
            actor=world["li.rep"],
            account_id=account.pk,
            name=f"项目 {days_ago}",
            amount=Decimal(amount),
        )
        at = timezone.now() - dt.timedelta(days=days_ago)
        Deal.objects.filter(pk=deal.pk).update(
            status="won", stage=won, closed_at=at, stage_entered_at=at
        )
    org = selectors.organization_of(world["zhang.manager"])
    quarter = period_containing(
        "quarter", local_today(ZoneInfo(org.time_zone)), org.fiscal_year_start_month
    )
    east = services.target_create(
        actor=world["zhang.manager"],
        metric="revenue_won",
        scope="team",
        team_id=world.teams["East"].pk,
        period_kind="quarter",
        start_date=quarter.start,
        amount=Decimal("1000000.01"),
    )
    return world, quarter, east


# The buttons of the flow, as each language labels them (money reads "CNY 1,000.00" in both).
LABELS = {
    "en": {"use": "Use this figure", "save": "Save as draft", "cascade": "Cascade"},
    "zh-hans": {"use": "使用此数字", "save": "保存为草稿", "cascade": "分解"},
}


def _switch_to(page, language: str) -> None:
    if language != "en":
        page.click("#user-menu-button")
        page.click(f"button[name=language][value={language}]")
        page.wait_for_selector(f"html[lang={language}]")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_manager_sets_a_target_from_the_recommendation_cascades_and_sees_pacing(
    language, live_server, page, sign_in, csp_violations
):
    world, quarter, east = _east_with_history()
    labels = LABELS[language]
    sign_in(page, "zhang.manager")
    _switch_to(page, language)
    page.click("[data-nav=targets]")
    page.wait_for_url(f"{live_server.url}/targets/")
    assert page.locator(".target-row[data-scope=team] .target-subject a").inner_text() == "East"

    # Set li's target: the recommendation dialog, then "Use this figure".
    page.click("#new-target")
    page.wait_for_url("**/targets/new/**")
    assert page.locator("[data-subject-for=team]").is_hidden()
    page.select_option("#id_metric", "deals_won")
    assert page.locator("[data-metric-definition=deals_won]").is_visible()
    assert page.locator("[data-metric-definition=revenue_won]").is_hidden()
    page.select_option("#id_metric", "revenue_won")
    page.select_option("#id_user", str(world["li.rep"].pk))
    page.fill("#id_relevant_note", "华东制造业客户扩张")
    page.click("#recommend")
    page.locator("#use-recommendation").wait_for()
    expected = selectors.target_recommendation(
        actor=world["zhang.manager"],
        metric="revenue_won",
        scope="person",
        subject_id=world["li.rep"].pk,
        period_kind="quarter",
        start_date=quarter.start,
    )
    assert page.locator("#use-recommendation").get_attribute("data-amount") == str(expected.amount)
    assert page.locator(".recommendation-reason").count() == len(expected.reasons)
    assert page.locator("#recommendation-amount").inner_text().startswith("CNY ")
    page.locator("#recommendation-dialog.show").wait_for()
    assert page.locator("#use-recommendation").inner_text() == labels["use"]
    assert page.locator("#save-target").inner_text() == labels["save"]
    page.click("#use-recommendation")
    page.locator("#recommendation-dialog").wait_for(state="hidden")
    assert page.input_value("#id_amount") == str(expected.amount)
    page.click("#save-target")
    page.wait_for_url(re.compile(r".*/targets/\d+/\?saved=1$"))
    mine = Target.objects.get(user=world["li.rep"], metric="revenue_won")
    assert (mine.amount, mine.status) == (expected.amount, "draft")
    assert page.locator("#achievability-verdict").is_visible()

    # Cascade team East over its people.
    page.goto(f"{live_server.url}/targets/{east.pk}/")
    assert page.locator("#cascade").inner_text() == labels["cascade"]
    page.select_option("#id_method", "even")
    page.click("#cascade")
    page.wait_for_url(f"{live_server.url}/targets/{east.pk}/?cascaded=1#children")
    assert page.locator(".child-target").count() == 3
    assert page.locator("#children-sum").inner_text() == "CNY 1,000,000.01"
    assert page.locator("#children-match").is_visible()
    amounts = [child.amount for child in Target.objects.filter(parent=east)]
    assert sum(amounts) == Decimal("1000000.01")

    # Pacing of li's target: the figures and the chart.
    page.goto(f"{live_server.url}/targets/{mine.pk}/")
    page.wait_for_selector("#pacing-chart[data-chart-ready=true] canvas")
    own = selectors.target_attainment(actor=world["zhang.manager"], target_id=mine.pk)
    assert page.locator("[data-figure=actual]").inner_text() == f"CNY {own.actual:,.2f}"
    page.hover("#pacing-chart canvas")
    wait_until(page, "document.querySelector('#pacing-chart canvas') !== null")
    assert csp_violations == []


def test_the_target_page_in_chinese(live_server, page, sign_in, csp_violations):
    _world, _quarter, east = _east_with_history()
    sign_in(page, "zhang.manager")
    _switch_to(page, "zh-hans")
    page.goto(f"{live_server.url}/targets/{east.pk}/")
    page.wait_for_selector("#pacing-chart[data-chart-ready=true] canvas")
    assert page.locator("#pacing-title").inner_text() == "进度"
    labels = [dt_.strip() for dt_ in page.locator(".pacing-figures dt").all_inner_texts()]
    assert labels == ["目标", "至今实际", "今天应达", "期末预计", "尚差", "已达成"]
    assert page.locator("#cascade").inner_text() == "分解"
    assert page.locator("[data-nav=targets]").inner_text().strip() == "目标"
    assert page.locator("#target-status").inner_text() == "草稿"
    assert csp_violations == []
