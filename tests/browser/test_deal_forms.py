"""A new deal in Chromium: a rep opens her account, clicks "New deal" on its deals card, fills
in the form (the account is already chosen) and finds the deal on the board, with nothing
refused by the Content-Security-Policy.
"""

from __future__ import annotations

import re

import pytest

from dealbook.customers import services as customer_services
from dealbook.pipeline import services as pipeline_services
from dealbook.pipeline.models import Deal
from tests.personas import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_creates_a_deal_from_her_account_and_sees_it_on_the_board(
    live_server, page, sign_in, csp_violations
):
    world = build_world()
    pipeline = pipeline_services.pipeline_create_default(actor=None, org=world.org)
    account = customer_services.account_create(actor=world["li.rep"], name="云帆信息科技")
    sign_in(page, "li.rep")
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    page.click(".account-deals #new-deal")
    page.wait_for_url(f"{live_server.url}/deals/new/?account={account.pk}")
    assert page.locator("select[name=account]").input_value() == str(account.pk)
    page.fill("input[name=name]", "云帆 CRM 二期")
    page.fill("input[name=amount]", "250,000.00")
    page.fill("input[name=expected_close_date]", "2027-03-31")
    page.click("#save-deal")
    page.wait_for_url(re.compile(r"/deals/\d+/$"))
    deal = Deal.objects.get(name="云帆 CRM 二期")
    assert page.url == f"{live_server.url}/deals/{deal.pk}/"
    assert page.locator(".deal-amount").inner_text() == "CNY 250,000.00"
    assert (deal.account_id, deal.owner_id, deal.amount_minor) == (
        account.pk,
        world["li.rep"].pk,
        250_000_00,
    )

    page.goto(f"{live_server.url}/pipeline/?pipeline={pipeline.pk}")
    column = page.locator(".board-column", has=page.locator("h2:text-is('Qualification')"))
    names = [n.strip() for n in column.locator(".board-card .deal-name").all_inner_texts()]
    assert names == ["云帆 CRM 二期"]
    assert csp_violations == []
