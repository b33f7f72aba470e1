"""Saved views in Chromium: a rep filters the accounts list, saves the view under a name,
comes back to the unfiltered list later and reopens her view from its link."""

from __future__ import annotations

import pytest

from dealbook.customers import services as customer_services
from dealbook.org.models import SavedView
from tests.personas import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accounts_of_li():
    world = build_world()
    li = world["li.rep"]
    customer_services.account_create(actor=li, name="长江物流", tags=["VIP"])
    customer_services.account_create(actor=li, name="云帆信息科技", industry="technology")
    customer_services.account_create(actor=li, name="东方重工", tags=["VIP"])
    return world


def _names(page) -> list[str]:
    return page.locator(".account-table .account-name").all_inner_texts()


def test_a_rep_saves_a_filtered_accounts_view_and_reopens_it(
    live_server, page, sign_in, csp_violations
):
    world = _accounts_of_li()
    sign_in(page, "li.rep")
    page.goto(f"{live_server.url}/accounts/")
    assert sorted(_names(page)) == ["东方重工", "云帆信息科技", "长江物流"]
    assert page.locator(".saved-views .no-saved-views").is_visible()

    page.fill("#id_tag", "VIP")
    page.select_option("#id_sort", "name")
    page.click(".account-filters button[type=submit]")
    page.wait_for_url("**/accounts/?*tag=VIP*")
    assert _names(page) == ["东方重工", "长江物流"]

    page.click(".save-view summary")
    page.fill("#id_saved_view_name", "VIP 客户")
    page.check("#id_saved_view_shared")
    page.click("#save-view")
    page.wait_for_selector(".saved-view-message")
    assert page.locator(".saved-view-message").inner_text() == "Saved the view VIP 客户."
    view = SavedView.objects.get(owner=world["li.rep"])
    assert (view.page, view.query, view.is_shared) == ("accounts", "tag=VIP&sort=name", True)

    # Later: the plain list, and the view one click away.
    page.goto(f"{live_server.url}/accounts/")
    assert len(_names(page)) == 3
    link = page.locator(f".saved-view[data-view='{view.pk}'] .saved-view-link")
    assert link.inner_text().startswith("VIP 客户")
    link.click()
    page.wait_for_url(f"{live_server.url}/accounts/?tag=VIP&sort=name")
    assert _names(page) == ["东方重工", "长江物流"]
    assert page.input_value("#id_tag") == "VIP"
    assert page.locator(".saved-view-link[aria-current=true]").count() == 1
    assert csp_violations == []
