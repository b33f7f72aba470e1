"""The deal forms: a new deal (from the board, the list or an account page) and editing one.

Allowed and denied for both routes; every save writes exactly one audit event; bad input
names the field and saves nothing; a stale edit is a 412 listing what changed, keeping the
user's values.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import translation

from dealbook.core.models import AuditEvent
from dealbook.pipeline import services
from dealbook.pipeline.models import Deal
from dealbook.web.views_deal_forms import amount_text, parse_amount
from tests.factories import AccountFactory
from tests.pipeline.factories import DealFactory, PipelineFactory, stage
from tests.web.conftest import csrf_client, parse_page

pytestmark = pytest.mark.django_db

CLOSE = dt.date(2027, 3, 31)


@pytest.fixture
def sales(world):
    """Huaxin's default pipeline with the standard six stages (Needs analysis requires an
    expected close date; Proposal an amount and contacts)."""
    return PipelineFactory(org=world.org, name="Sales")


@pytest.fixture
def li_account(world):
    return AccountFactory(owner=world["li.rep"], name="云帆信息科技")


@pytest.fixture
def li_deal(world, sales, li_account):
    return DealFactory(
        owner=world["li.rep"],
        account=li_account,
        name="云帆 ERP 项目",
        amount_minor=120_000_00,
        expected_close_date=CLOSE,
    )


def _new_deal(on_account, pipeline, **overrides) -> dict:
    data = {
        "name": "云帆 CRM 二期",
        "account": str(on_account.pk),
        "pipeline": str(pipeline.pk),
        "stage": "",
        "amount": "1,234,567.50",
        "currency": "CNY",
        "expected_close_date": "2027-03-31",
        "probability": "",
        "owner": "",
        "next_step": "Send the proposal",
        "description": "Second phase",
    }
    data.update(overrides)
    return data


def _edit_data(deal: Deal, **overrides) -> dict:
    data = {
        "name": deal.name,
        "amount": amount_text(deal.amount, deal.currency),
        "currency": deal.currency,
        "expected_close_date": deal.expected_close_date.isoformat()
        if deal.expected_close_date
        else "",
        "probability": str(deal.probability),
        "owner": str(deal.owner_id),
        "next_step": deal.next_step,
        "description": deal.description,
        "version": str(deal.version),
    }
    data.update(overrides)
    return data


def _field_errors(html: str) -> dict[str, list[str]]:
    """Form field name → its error messages, read from the page."""
    errors: dict[str, list[str]] = {}
    for name, body in re.findall(
        r'<div class="mb-3 field field-invalid" data-field="([a-z_]+)">(.*?)\n</div>', html, re.S
    ):
        errors[name] = re.findall(r'class="invalid-feedback d-block field-error">([^<]*)<', body)
    return errors


def _snapshot() -> tuple:
    return (
        list(Deal.objects.order_by("pk").values_list("pk", "name", "version", "amount_minor")),
        AuditEvent.objects.count(),
    )


# --- amounts in the reader's format ----------------------------------------------------------


def test_amounts_are_read_and_shown_in_the_readers_format():
    with translation.override("en"):
        assert parse_amount("1,234,567.50") == Decimal("1234567.50")
        assert parse_amount(" 1 234.5 ") == Decimal("1234.5")
        assert amount_text(Decimal("1234567.5"), "CNY") == "1,234,567.50"
        assert amount_text(Decimal("1234567"), "JPY") == "1,234,567"
    with translation.override("zh-hans"):
        assert parse_amount("1,234,567.50") == Decimal("1234567.50")
        assert amount_text(Decimal("1234567.5"), "CNY") == "1,234,567.50"
    with pytest.raises(ValueError):
        parse_amount("12abc")


# --- new deal --------------------------------------------------------------------------------


def test_a_rep_opens_the_new_deal_form_prefilled_from_her_account(
    world, client_as, sales, li_account
):
    response = client_as(world["li.rep"]).get(
        "/deals/new/", {"account": li_account.pk, "pipeline": sales.pk}
    )
    assert response.status_code == 200
    assert response.templates[0].name == "web/pipeline/deal_form.html"
    form = response.context["form"]
    assert form["account"].value() == li_account.pk
    assert form["pipeline"].value() == sales.pk
    assert form["currency"].value() == "CNY"
    html = response.content.decode()
    assert f'<option value="{li_account.pk}" selected>云帆信息科技</option>' in html
    # The stage choices are the pipeline's open stages only.
    stages = re.findall(r"<option value=\"\d+\">([^<]*)</option>", html.split('name="stage"')[1])
    assert stages[:4] == ["Qualification", "Needs analysis", "Proposal", "Negotiation"]
    assert "Won" not in stages and "Lost" not in stages
    page = parse_page(html)
    assert page.inline_scripts == [] and page.style_attributes == []


def test_a_rep_creates_a_deal_on_her_account(world, client_as, sales, li_account):
    li = world["li.rep"]
    events = AuditEvent.objects.count()
    response = client_as(li).post("/deals/new/", _new_deal(li_account, sales))
    deal = Deal.objects.get(name="云帆 CRM 二期")
    assert response.status_code == 302
    assert response["Location"] == f"/deals/{deal.pk}/"
    assert (deal.owner, deal.account, deal.pipeline) == (li, li_account, sales)
    assert deal.stage == stage(sales, "Qualification")
    assert (deal.amount_minor, deal.currency) == (1_234_567_50, "CNY")
    assert deal.expected_close_date == CLOSE
    assert deal.probability == stage(sales, "Qualification").probability
    assert (deal.next_step, deal.description) == ("Send the proposal", "Second phase")
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.latest("id")
    assert (event.verb, event.object_type, event.object_id) == ("create", "deal", deal.pk)
    page = client_as(li).get(response["Location"]).content.decode()
    assert "CNY 1,234,567.50" in page


def test_a_new_deal_in_a_chosen_stage_with_its_probability(world, client_as, sales, li_account):
    data = _new_deal(li_account, sales, stage=str(stage(sales, "Needs analysis").pk))
    data["probability"] = "35"
    response = client_as(world["li.rep"]).post("/deals/new/", data)
    assert response.status_code == 302
    deal = Deal.objects.get(name="云帆 CRM 二期")
    assert (deal.stage.name, deal.probability) == ("Needs analysis", 35)


def test_the_new_deal_form_sends_visitors_to_sign_in(client_as):
    response = client_as().get("/deals/new/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/deals/new/"
    assert client_as().post("/deals/new/", {"name": "x"}).status_code == 302
    assert Deal.objects.count() == 0


@pytest.mark.parametrize("login", ["wu.finance", "zheng.service", "feng.marketing"])
def test_a_role_that_cannot_write_deals_may_not_create_one(
    world, client_as, sales, li_account, login
):
    client = client_as(world[login])
    assert client.get("/deals/new/").status_code == 403
    before = _snapshot()
    assert client.post("/deals/new/", _new_deal(li_account, sales)).status_code == 403
    assert _snapshot() == before


def test_a_rep_may_not_create_a_deal_on_another_teams_account(world, client_as, sales):
    theirs = AccountFactory(owner=world["liu.rep"], name="南方贸易")
    before = _snapshot()
    response = client_as(world["li.rep"]).post("/deals/new/", _new_deal(theirs, sales))
    assert response.status_code == 422
    assert _field_errors(response.content.decode()) == {
        "account": [f"Account {theirs.pk} does not exist."]
    }
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"name": ""}, {"name": ["This field is required."]}),
        ({"amount": "-5"}, {"amount": ["Must be zero or more."]}),
        ({"amount": "12abc"}, {"amount": ["Enter an amount, such as 1,234.50."]}),
        ({"account": "999999"}, {"account": ["Account 999999 does not exist."]}),
        ({"account": ""}, {"account": ["This field is required."]}),
        (
            {"probability": "101"},
            {"probability": ["Ensure this value is less than or equal to 100."]},
        ),
        ({"amount": "1.234"}, {"amount": ["CNY allows 2 decimal places."]}),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    world, client_as, sales, li_account, overrides, errors
):
    before = _snapshot()
    response = client_as(world["li.rep"]).post(
        "/deals/new/", _new_deal(li_account, sales, **overrides)
    )
    assert response.status_code == 422
    assert _field_errors(response.content.decode()) == errors
    assert _snapshot() == before


def test_a_stages_required_fields_show_next_to_them(world, client_as, sales, li_account):
    data = _new_deal(
        li_account, sales, stage=str(stage(sales, "Needs analysis").pk), expected_close_date=""
    )
    before = _snapshot()
    response = client_as(world["li.rep"]).post("/deals/new/", data)
    assert response.status_code == 422
    assert _field_errors(response.content.decode()) == {
        "expected_close_date": ["Stage Needs analysis requires Expected close date."]
    }
    assert _snapshot() == before


def test_a_stage_of_another_pipeline_is_refused_on_the_stage(world, client_as, sales, li_account):
    other = PipelineFactory(org=world.org, name="Renewals", is_default=False)
    data = _new_deal(li_account, sales, stage=str(stage(other, "Qualification").pk))
    before = _snapshot()
    response = client_as(world["li.rep"]).post("/deals/new/", data)
    assert response.status_code == 422
    assert list(_field_errors(response.content.decode())) == ["stage"]
    assert _snapshot() == before


def test_a_rep_may_not_give_a_deal_to_a_colleague(world, client_as, sales, li_account):
    data = _new_deal(li_account, sales, owner=str(world["wang.rep"].pk))
    before = _snapshot()
    response = client_as(world["li.rep"]).post("/deals/new/", data)
    assert response.status_code == 422
    # Not one of her owner choices: the form refuses it before the service is asked.
    assert list(_field_errors(response.content.decode())) == ["owner"]
    assert _snapshot() == before


def test_a_manager_creates_a_deal_for_her_rep(world, client_as, sales, li_account):
    data = _new_deal(li_account, sales, owner=str(world["li.rep"].pk))
    response = client_as(world["zhang.manager"]).post("/deals/new/", data)
    assert response.status_code == 302
    assert Deal.objects.get(name="云帆 CRM 二期").owner == world["li.rep"]


def test_creating_a_deal_needs_the_csrf_token(world, sales, li_account):
    client = csrf_client(world["li.rep"])
    before = _snapshot()
    assert client.post("/deals/new/", _new_deal(li_account, sales)).status_code == 403
    assert _snapshot() == before


def test_opening_the_forms_changes_nothing(world, client_as, li_deal, li_account, sales):
    before = _snapshot()
    client = client_as(world["li.rep"])
    assert client.get("/deals/new/", {"account": li_account.pk}).status_code == 200
    assert client.get(f"/deals/{li_deal.pk}/edit/").status_code == 200
    assert _snapshot() == before


# --- edit ------------------------------------------------------------------------------------


def test_a_rep_opens_her_deal_with_its_values(world, client_as, li_deal):
    response = client_as(world["li.rep"]).get(f"/deals/{li_deal.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="amount" value="120,000.00"' in html
    assert 'name="version" value="1"' in html
    assert 'value="2027-03-31"' in html
    assert 'name="account"' not in html and 'name="stage"' not in html


def test_a_rep_edits_her_deal(world, client_as, li_deal):
    events = AuditEvent.objects.count()
    data = _edit_data(li_deal, name="云帆 ERP 项目（扩容）", amount="150,000.5", probability="40")
    response = client_as(world["li.rep"]).post(f"/deals/{li_deal.pk}/edit/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/deals/{li_deal.pk}/"
    deal = Deal.objects.get(pk=li_deal.pk)
    assert (deal.name, deal.amount_minor, deal.probability, deal.version) == (
        "云帆 ERP 项目（扩容）",
        150_000_50,
        40,
        2,
    )
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.latest("id")
    assert (event.verb, event.object_id) == ("update", deal.pk)
    assert event.changes["amount_minor"] == [120_000_00, 150_000_50]


def test_the_edit_form_sends_visitors_to_sign_in(client_as, li_deal):
    response = client_as().get(f"/deals/{li_deal.pk}/edit/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/deals/{li_deal.pk}/edit/"


def test_another_teams_deal_is_not_found(world, client_as, li_deal):
    before = _snapshot()
    client = client_as(world["liu.rep"])
    assert client.get(f"/deals/{li_deal.pk}/edit/").status_code == 404
    assert (
        client.post(f"/deals/{li_deal.pk}/edit/", _edit_data(li_deal, name="x")).status_code == 404
    )
    assert _snapshot() == before


def test_finance_sees_the_deal_but_may_not_edit_it(world, client_as, li_deal):
    before = _snapshot()
    client = client_as(world["wu.finance"])
    assert client.get(f"/deals/{li_deal.pk}/").status_code == 200
    assert client.get(f"/deals/{li_deal.pk}/edit/").status_code == 403
    assert (
        client.post(f"/deals/{li_deal.pk}/edit/", _edit_data(li_deal, name="x")).status_code == 403
    )
    assert _snapshot() == before


def test_editing_needs_the_csrf_token(world, li_deal):
    before = _snapshot()
    response = csrf_client(world["li.rep"]).post(
        f"/deals/{li_deal.pk}/edit/", _edit_data(li_deal, name="x")
    )
    assert response.status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"name": "  "}, {"name": ["This field is required."]}),
        ({"amount": "-1"}, {"amount": ["Must be zero or more."]}),
        ({"probability": ""}, {"probability": ["This field is required."]}),
    ],
)
def test_bad_edits_name_the_field_and_save_nothing(world, client_as, li_deal, overrides, errors):
    before = _snapshot()
    response = client_as(world["li.rep"]).post(
        f"/deals/{li_deal.pk}/edit/", _edit_data(li_deal, **overrides)
    )
    assert response.status_code == 422
    assert _field_errors(response.content.decode()) == errors
    assert _snapshot() == before


def test_a_stale_edit_lists_what_changed_and_keeps_the_users_values(world, client_as, li_deal):
    opened = _edit_data(li_deal)
    services.deal_update(
        actor=world["zhang.manager"],
        deal_id=li_deal.pk,
        version=1,
        values={"name": "云帆 ERP（经理改）"},
    )
    before = _snapshot()
    data = {**opened, "name": "云帆 ERP（我的）", "amount": "99,000.00"}
    response = client_as(world["li.rep"]).post(f"/deals/{li_deal.pk}/edit/", data)
    assert response.status_code == 412
    html = response.content.decode()
    assert "Someone else changed this deal while you were editing it." in html
    assert 'data-edit-by="张伟 Zhang Wei"' in html
    assert re.search(
        r'<tr class="changed-field"><th scope="row">Name</th><td>云帆 ERP 项目</td>'
        r"<td>云帆 ERP（经理改）</td></tr>",
        html,
    )
    # The user's values stay; the form now carries the current version.
    assert 'name="name" value="云帆 ERP（我的）"' in html
    assert 'name="amount" value="99,000.00"' in html
    assert 'name="version" value="2"' in html
    assert _snapshot() == before
    # Saving again is a choice made with the other edit in view.
    data["version"] = "2"
    assert client_as(world["li.rep"]).post(f"/deals/{li_deal.pk}/edit/", data).status_code == 302
    assert Deal.objects.get(pk=li_deal.pk).name == "云帆 ERP（我的）"


def test_clearing_a_required_close_date_is_refused_next_to_it(world, client_as, sales, li_deal):
    services.deal_move_to_stage(
        actor=world["li.rep"],
        deal_id=li_deal.pk,
        stage_id=stage(sales, "Needs analysis").pk,
        version=1,
        values={},
    )
    deal = Deal.objects.get(pk=li_deal.pk)
    before = _snapshot()
    response = client_as(world["li.rep"]).post(
        f"/deals/{deal.pk}/edit/", _edit_data(deal, expected_close_date="")
    )
    assert response.status_code == 422
    assert _field_errors(response.content.decode()) == {
        "expected_close_date": ["Stage Needs analysis requires Expected close date."]
    }
    assert _snapshot() == before


# --- links -----------------------------------------------------------------------------------


def test_the_pages_link_to_the_forms_for_roles_that_write_deals(
    world, client_as, sales, li_deal, li_account
):
    li = client_as(world["li.rep"])
    assert (
        f'href="/deals/new/?pipeline={sales.pk}" id="new-deal"'
        in li.get("/pipeline/").content.decode()
    )
    assert (
        f'href="/deals/new/?pipeline={sales.pk}" id="new-deal"'
        in li.get("/pipeline/list/").content.decode()
    )
    assert (
        f'href="/deals/new/?account={li_account.pk}" id="new-deal"'
        in li.get(f"/accounts/{li_account.pk}/").content.decode()
    )
    assert (
        f'href="/deals/{li_deal.pk}/edit/" id="edit-deal"'
        in li.get(f"/deals/{li_deal.pk}/").content.decode()
    )
    finance = client_as(world["wu.finance"])
    assert 'id="new-deal"' not in finance.get("/pipeline/").content.decode()
    assert 'id="new-deal"' not in finance.get(f"/accounts/{li_account.pk}/").content.decode()
    assert 'id="edit-deal"' not in finance.get(f"/deals/{li_deal.pk}/").content.decode()
