"""Line items: exact amounts, the deal's amount follows its lines, one audit event on the deal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dealbook.core.models import AuditEvent
from dealbook.pipeline import services
from dealbook.pipeline.models import DealLineItem
from tests.pipeline.factories import DealFactory, LineItemFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _events_since(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("id")[before:])


def test_add_line_item_amount_is_exact_and_becomes_the_deal_amount(world, api_as, sales):
    li = world["li.rep"]
    deal = DealFactory(owner=li, amount_minor=999_00)
    product = ProductFactory(org=world.org, name="ERP licence")
    client = api_as(li)
    before = AuditEvent.objects.count()
    response = client.post(
        f"deals/{deal.pk}/line-items",
        {
            "name": "ERP licence",
            "quantity": "3",
            "unit_price": "1234.56",
            "discount_percent": "10",
            "product_id": product.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["unit_price"], body["currency"]) == ("3333.31", "1234.56", "CNY")
    assert body["product"] == {"id": product.pk, "name": "ERP licence"}
    deal.refresh_from_db()
    assert (deal.amount_minor, deal.version) == (333_331, 2)
    events = _events_since(before)
    assert [(e.verb, e.object_type, e.object_id, e.actor_id) for e in events] == [
        ("add_line_item", "deal", deal.pk, li.pk)
    ]
    assert events[0].changes["amount_minor"] == [999_00, 333_331]
    assert events[0].changes["line_item"][1]["amount"] == "3333.31"

    second = client.post(
        f"deals/{deal.pk}/line-items", {"name": "Setup", "quantity": "1", "unit_price": "0.01"}
    )
    assert second.status_code == 201
    assert client.get(f"deals/{deal.pk}").json()["amount"] == "3333.32"


@pytest.mark.parametrize(
    ("quantity", "unit_price", "discount", "expected_minor"),
    [
        (Decimal("1"), Decimal("0.05"), Decimal("50"), 3),  # 2.5 fen rounds half up
        (Decimal("1"), Decimal("0.05"), Decimal("70"), 2),  # 1.5 → 2
        (Decimal("0.333"), Decimal("3.00"), Decimal("0"), 100),  # 99.9 → 100
        (Decimal("2.5"), Decimal("99999.99"), Decimal("33.33"), 16_667_498),  # 16,667,498.33
        (Decimal("1"), Decimal("100"), Decimal("100"), 0),
    ],
)
def test_line_amount_rounding(world, sales, quantity, unit_price, discount, expected_minor):
    li = world["li.rep"]
    deal = DealFactory(owner=li)
    item = services.deal_line_item_add(
        actor=li,
        deal_id=deal.pk,
        name="Line",
        quantity=quantity,
        unit_price=unit_price,
        discount_percent=discount,
    )
    assert item.amount_minor == expected_minor
    deal.refresh_from_db()
    assert deal.amount_minor == expected_minor


def test_update_and_remove_keep_the_deal_amount_in_step(world, api_as, sales):
    li = world["li.rep"]
    deal = DealFactory(owner=li)
    client = api_as(li)
    first = client.post(
        f"deals/{deal.pk}/line-items", {"name": "A", "quantity": "2", "unit_price": "100"}
    ).json()
    client.post(f"deals/{deal.pk}/line-items", {"name": "B", "quantity": "1", "unit_price": "50"})
    before = AuditEvent.objects.count()
    response = client.patch(
        f"deals/{deal.pk}/line-items/{first['id']}", {"version": 1, "quantity": "5"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["amount"], response.json()["version"]) == ("500.00", 2)
    assert client.get(f"deals/{deal.pk}").json()["amount"] == "550.00"
    events = _events_since(before)
    assert [(e.verb, e.object_id) for e in events] == [("update_line_item", deal.pk)]
    assert events[0].changes["amount_minor"] == [250_00, 550_00]
    assert events[0].changes["line_item"][0]["quantity"] == "2.000"
    assert events[0].changes["line_item"][1]["quantity"] == "5.000"

    stale = client.patch(
        f"deals/{deal.pk}/line-items/{first['id']}", {"version": 1, "quantity": "9"}
    )
    assert stale.status_code == 412
    assert DealLineItem.objects.get(pk=first["id"]).quantity == Decimal("5")

    before = AuditEvent.objects.count()
    assert client.delete(f"deals/{deal.pk}/line-items/{first['id']}").status_code == 204
    assert client.get(f"deals/{deal.pk}").json()["amount"] == "50.00"
    assert [e.verb for e in _events_since(before)] == ["remove_line_item"]
    items = client.get(f"deals/{deal.pk}/line-items").json()["items"]
    assert [(i["name"], i["amount"]) for i in items] == [("B", "50.00")]


def test_line_item_input_is_validated_and_changes_nothing(world, api_as, sales):
    li = world["li.rep"]
    deal = DealFactory(owner=li, amount_minor=7_00)
    client = api_as(li)
    base = {"name": "X", "quantity": "1", "unit_price": "1"}
    cases = [
        ({**base, "quantity": "0"}, "quantity"),
        ({**base, "quantity": "1.0001"}, "quantity"),
        ({**base, "unit_price": "-1"}, "unit_price"),
        ({**base, "discount_percent": "100.01"}, "discount_percent"),
        ({**base, "product_id": 999_999}, "product_id"),
        ({**base, "colour": "red"}, "colour"),
        ({"quantity": "1", "unit_price": "1"}, "name"),
        ({**base, "quantity": "999999999", "unit_price": "99999999999999"}, "quantity"),
    ]
    for body, field in cases:
        response = client.post(f"deals/{deal.pk}/line-items", body)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["errors"][0]["field"] == field, body
    assert not DealLineItem.objects.exists()
    deal.refresh_from_db()
    assert (deal.amount_minor, deal.version) == (7_00, 1)


def test_line_items_follow_the_deals_visibility_and_write_rights(world, api_as, sales):
    deal = DealFactory(owner=world["wang.rep"])
    item = LineItemFactory(deal=deal, name="Kept")
    body = {"name": "X", "quantity": "1", "unit_price": "1"}
    li, finance = api_as(world["li.rep"]), api_as(world["wu.finance"])
    assert li.get(f"deals/{deal.pk}/line-items").status_code == 404
    assert li.post(f"deals/{deal.pk}/line-items", body).status_code == 404
    assert li.delete(f"deals/{deal.pk}/line-items/{item.pk}").status_code == 404
    assert finance.get(f"deals/{deal.pk}/line-items").status_code == 200
    assert finance.post(f"deals/{deal.pk}/line-items", body).status_code == 403
    assert (
        finance.patch(
            f"deals/{deal.pk}/line-items/{item.pk}", {"version": 1, "name": "Y"}
        ).status_code
        == 403
    )
    assert finance.delete(f"deals/{deal.pk}/line-items/{item.pk}").status_code == 403
    other = DealFactory(owner=world["wang.rep"])
    wang = api_as(world["wang.rep"])
    assert wang.delete(f"deals/{other.pk}/line-items/{item.pk}").status_code == 404
    assert list(DealLineItem.objects.values_list("name", flat=True)) == ["Kept"]


def test_line_item_list_query_count_is_fixed(world, api_as, sales):
    li = world["li.rep"]
    deal = DealFactory(owner=li)
    product = ProductFactory(org=world.org)
    for i in range(30):
        LineItemFactory(deal=deal, name=f"Line {i}", product=product)
    client = api_as(li)
    counts = []
    for limit in (5, 25):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"deals/{deal.pk}/line-items", {"limit": limit})
        assert len(response.json()["items"]) == limit
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
