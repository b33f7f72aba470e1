"""Leads in Chromium: a rep converts a lead in one step and lands on the new account; a rep
claims a lead from the pool and the count of her claims goes up; the CSP refuses nothing."""

from __future__ import annotations

import pytest

from dealbook.customers.models import Account
from dealbook.leads import services as lead_services
from dealbook.leads.models import Lead
from dealbook.pipeline import services as pipeline_services
from dealbook.pipeline.models import Deal
from tests.leads.factories import LeadFactory
from tests.personas import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_converts_a_lead_and_lands_on_the_new_account(
    live_server, page, sign_in, csp_violations
):
    world = build_world()
    li = world["li.rep"]
    pipeline_services.pipeline_create_default(actor=None, org=world.org)
    lead = lead_services.lead_create(
        actor=li,
        name="张建华",
        company="杭州远景软件有限公司",
        title="技术总监",
        email="zhang@yuanjing.cn",
        phone="138 0571 0000",
    )
    sign_in(page, "li.rep")
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    assert page.locator("h1").inner_text() == "张建华"
    page.click("#convert-lead")
    page.wait_for_selector(".convert-form")
    assert page.is_checked("input[name=account][value=new]")
    page.fill("#id_deal_name", "远景 CRM 项目")
    page.fill("#id_amount", "88000")
    page.fill("#id_expected_close_date", "2030-09-30")
    page.click("#convert-submit")
    page.wait_for_selector(".account-header")
    account = Account.objects.get(name="杭州远景软件有限公司")
    assert page.url == f"{live_server.url}/accounts/{account.pk}/"
    assert page.locator("h1").inner_text() == "杭州远景软件有限公司"
    assert "张建华" in page.locator(".account-contacts").inner_text()
    assert "远景 CRM 项目" in page.locator(".account-deals").inner_text()
    deal = Deal.objects.get(account=account)
    assert (deal.amount_minor, deal.owner_id) == (8_800_000, li.pk)
    assert Lead.objects.get(pk=lead.pk).status == "converted"
    assert csp_violations == []


def test_a_rep_claims_a_pool_lead_and_her_count_goes_up(live_server, page, sign_in, csp_violations):
    world = build_world()
    for name in ("公海线索 甲", "公海线索 乙"):
        LeadFactory(org=world.org, owner=None, name=name, company="某公司")
    sign_in(page, "li.rep")
    page.goto(f"{live_server.url}/pool/")
    status = page.locator(".claim-status")
    assert status.inner_text() == "You hold 0 of 50 claims"
    page.locator(".pool-row", has_text="公海线索 甲").locator(".claim-button").click()
    page.wait_for_selector(".lead-message")
    assert page.locator(".lead-message").inner_text() == "You claimed 公海线索 甲."
    assert page.locator(".claim-status").inner_text() == "You hold 1 of 50 claims"
    assert page.locator(".pool-name").all_inner_texts() == ["公海线索 乙"]
    assert Lead.objects.get(name="公海线索 甲").owner_id == world["li.rep"].pk
    assert csp_violations == []
