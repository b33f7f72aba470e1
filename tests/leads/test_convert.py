"""Converting a lead into an account, a contact and a deal — all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dealbook.core.models import AuditEvent
from dealbook.customers.models import Account, Contact
from dealbook.leads import services
from dealbook.leads.models import Lead
from dealbook.pipeline import services as pipeline_services
from dealbook.pipeline.models import Deal
from tests.factories import AccountFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(world):
    return pipeline_services.pipeline_create_default(actor=None, org=world.org)


@pytest.fixture
def lead(world):
    return LeadFactory(
        owner=world["li.rep"],
        name="张三",
        company="上海云帆科技有限公司",
        title="CTO",
        email="zhangsan@yunfan.cn",
        phone="13800138000",
        source="website",
        region="华东",
        industry="technology",
        status="qualified",
    )


def _counts():
    return (
        Account.objects.count(),
        Contact.objects.count(),
        Deal.objects.count(),
        AuditEvent.objects.count(),
        list(Lead.objects.values_list("status", "version").order_by("id")),
    )


def test_conversion_creates_account_contact_and_deal(world, api_as, pipeline, lead):
    li = world["li.rep"]
    before = AuditEvent.objects.count()
    response = api_as(li).post(
        f"leads/{lead.pk}/convert",
        {
            "version": 1,
            "deal_name": "云帆 ERP",
            "amount": "120000.50",
            "expected_close_date": "2027-03-31",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    account = Account.objects.get()
    contact = Contact.objects.get()
    deal = Deal.objects.get()
    assert (account.name, account.owner_id, account.industry, account.region, account.source) == (
        "上海云帆科技有限公司",
        li.pk,
        "technology",
        "华东",
        "website",
    )
    assert (
        contact.account_id,
        contact.name,
        contact.title,
        contact.email,
        contact.phone,
        contact.is_primary,
    ) == (
        account.pk,
        "张三",
        "CTO",
        "zhangsan@yunfan.cn",
        "13800138000",
        True,
    )
    assert (deal.account_id, deal.name, deal.owner_id, deal.amount_minor, deal.currency) == (
        account.pk,
        "云帆 ERP",
        li.pk,
        12_000_050,
        "CNY",
    )
    assert (deal.expected_close_date, deal.pipeline_id, deal.stage.name) == (
        dt.date(2027, 3, 31),
        pipeline.pk,
        "Qualification",
    )
    assert list(deal.contacts.values_list("pk", flat=True)) == [contact.pk]
    lead.refresh_from_db()
    assert (lead.status, lead.version) == ("converted", 2)
    assert (lead.converted_account_id, lead.converted_contact_id, lead.converted_deal_id) == (
        account.pk,
        contact.pk,
        deal.pk,
    )
    assert lead.converted_at is not None
    assert body["lead"]["status"] == "converted"
    assert body["account"] == {"id": account.pk, "name": "上海云帆科技有限公司"}
    assert body["contact"] == {"id": contact.pk, "name": "张三"}
    assert body["deal"] == {"id": deal.pk, "name": "云帆 ERP"}
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.object_type, e.object_id, e.verb, e.actor_id) for e in events] == [
        ("account", account.pk, "create", li.pk),
        ("contact", contact.pk, "create", li.pk),
        ("deal", deal.pk, "create", li.pk),
        ("lead", lead.pk, "convert", li.pk),
    ]
    convert = events[-1].changes
    assert convert == {
        "status": ["qualified", "converted"],
        "converted_at": [None, lead.converted_at.isoformat()],
        "converted_account_id": [None, account.pk],
        "converted_contact_id": [None, contact.pk],
        "converted_deal_id": [None, deal.pk],
        "account_created": [None, True],
    }


def test_conversion_into_an_existing_account_without_a_deal(world, api_as, pipeline, lead):
    existing = AccountFactory(owner=world["li.rep"], name="Yunfan Group")
    before = AuditEvent.objects.count()
    response = api_as(world["li.rep"]).post(
        f"leads/{lead.pk}/convert", {"account_id": existing.pk, "create_deal": False}
    )
    assert response.status_code == 200, response.content
    assert response.json()["deal"] is None
    assert list(Account.objects.values_list("pk", flat=True)) == [existing.pk]
    contact = Contact.objects.get()
    assert (contact.account_id, contact.is_primary) == (existing.pk, False)
    assert not Deal.objects.exists()
    lead.refresh_from_db()
    assert (lead.status, lead.converted_account_id, lead.converted_deal_id) == (
        "converted",
        existing.pk,
        None,
    )
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.object_type, e.verb) for e in events] == [("contact", "create"), ("lead", "convert")]
    assert events[-1].changes["account_created"] == [None, False]


def test_manager_converts_his_reps_lead_owned_by_the_rep(world, api_as, pipeline, lead):
    response = api_as(world["zhang.manager"]).post(f"leads/{lead.pk}/convert", {})
    assert response.status_code == 200, response.content
    assert Account.objects.get().owner_id == world["li.rep"].pk
    assert Deal.objects.get().owner_id == world["li.rep"].pk
    assert Deal.objects.get().name == "上海云帆科技有限公司"


def test_existing_company_is_reported_on_the_company_field(world, api_as, pipeline, lead):
    AccountFactory(owner=world["wang.rep"], name="上海云帆科技")
    before = _counts()
    response = api_as(world["li.rep"]).post(f"leads/{lead.pk}/convert", {})
    assert response.status_code == 409
    problem = response.json()
    assert (problem["code"], problem["errors"][0]["field"]) == ("duplicate", "company")
    assert _counts() == before


def test_invisible_or_unknown_account_is_422_on_account_id(world, api_as, pipeline, lead):
    hidden = AccountFactory(owner=world["wang.rep"], name="Wang's customer")
    before = _counts()
    for account_id in (hidden.pk, 999_999):
        response = api_as(world["li.rep"]).post(
            f"leads/{lead.pk}/convert", {"account_id": account_id}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "account_id"
    assert _counts() == before


def test_a_failing_deal_rolls_the_whole_conversion_back(world, api_as, pipeline, lead, monkeypatch):
    seen = {}

    def deal_create_fails(*, actor, account_id, contact_ids=(), **kwargs):
        seen["account"] = Account.objects.filter(pk=account_id).exists()
        seen["contact"] = Contact.objects.filter(pk__in=contact_ids, account_id=account_id).exists()
        raise RuntimeError("pipeline unavailable")

    monkeypatch.setattr(pipeline_services, "deal_create", deal_create_fails)
    before = _counts()
    with pytest.raises(RuntimeError, match="pipeline unavailable"):
        services.lead_convert(actor=world["li.rep"], lead_id=lead.pk, version=1)
    assert seen == {"account": True, "contact": True}
    assert _counts() == before
    lead.refresh_from_db()
    assert (lead.status, lead.converted_account_id, lead.converted_contact_id) == (
        "qualified",
        None,
        None,
    )


def test_a_refused_deal_rolls_back_and_names_the_field(world, api_as, pipeline, lead):
    before = _counts()
    response = api_as(world["li.rep"]).post(f"leads/{lead.pk}/convert", {"pipeline_id": 999_999})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "pipeline_id"
    assert _counts() == before


def test_stale_version_is_412(world, api_as, pipeline, lead):
    before = _counts()
    response = api_as(world["li.rep"]).post(f"leads/{lead.pk}/convert", {"version": 7})
    assert response.status_code == 412
    assert _counts() == before


def test_unqualified_lead_cannot_be_converted(world, api_as, pipeline):
    lead = LeadFactory(owner=world["li.rep"], status="unqualified", unqualified_reason="No budget")
    before = _counts()
    response = api_as(world["li.rep"]).post(f"leads/{lead.pk}/convert", {})
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert _counts() == before


@pytest.mark.parametrize(
    ("login", "status"), [("feng.marketing", 403), ("wang.rep", 404), ("he.product", 404)]
)
def test_denied_conversions_change_nothing(world, api_as, pipeline, lead, login, status):
    before = _counts()
    response = api_as(world[login]).post(f"leads/{lead.pk}/convert", {})
    assert response.status_code == status
    assert _counts() == before


def test_convert_input_is_bounded(world, api_as, pipeline, lead):
    client = api_as(world["li.rep"])
    for body, field in (
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "1" * 15}, "amount"),
        ({"deal_name": "x" * 201}, "deal_name"),
        ({"account_id": 0}, "account_id"),
        ({"expected_close_date": "soon"}, "expected_close_date"),
        ({"surprise": True}, "surprise"),
    ):
        response = client.post(f"leads/{lead.pk}/convert", body)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == field
    assert Account.objects.count() == 0


def test_service_returns_the_created_records(world, pipeline, lead):
    result = services.lead_convert(actor=world["li.rep"], lead_id=lead.pk, amount=Decimal("10"))
    assert result.lead.pk == lead.pk
    assert (result.account.pk, result.contact.pk, result.deal.pk) == (
        result.lead.converted_account_id,
        result.lead.converted_contact_id,
        result.lead.converted_deal_id,
    )
    assert result.deal.amount_minor == 1000
