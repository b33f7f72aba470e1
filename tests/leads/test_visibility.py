"""Who sees which leads: exact id sets per persona, hidden leads are 404."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dealbook.leads import selectors
from dealbook.org import services as org_services
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

HUAXIN = {"li", "wang", "zhang", "liu", "zhou", "pool"}
EXPECTED = {
    "li.rep": {"li"},
    "wang.rep": {"wang"},
    "zhang.manager": {"li", "wang", "zhang"},
    "zhao.manager": {"liu"},
    "liu.rep": {"liu"},
    "feng.marketing": HUAXIN,
    "chen.director": HUAXIN,
    "admin": HUAXIN,
    "zheng.service": set(),
    "wu.finance": set(),
    "he.product": set(),
    "acme.admin": {"acme"},
}


def _ids(leads, names):
    return {leads[name].pk for name in names}


@pytest.mark.parametrize(("login", "expected"), EXPECTED.items())
def test_list_shows_exactly_the_visible_leads(world, leads, api_as, login, expected):
    response = api_as(world[login]).get("leads", {"limit": 200})
    assert response.status_code == 200, response.content
    assert {item["id"] for item in response.json()["items"]} == _ids(leads, expected)
    assert set(selectors.visible_leads(actor=world[login]).values_list("pk", flat=True)) == _ids(
        leads, expected
    )


@pytest.mark.parametrize(
    "login", ["zheng.service", "wu.finance", "he.product", "acme.admin", "li.rep"]
)
def test_hidden_lead_is_404(world, leads, api_as, login):
    response = api_as(world[login]).get(f"leads/{leads['wang'].pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_owner_and_manager_get_the_lead(world, leads, api_as):
    for login in ("wang.rep", "zhang.manager", "chen.director", "feng.marketing"):
        response = api_as(world[login]).get(f"leads/{leads['wang'].pk}")
        assert response.status_code == 200
        body = response.json()
        assert (body["id"], body["name"], body["owner"]["username"]) == (
            leads["wang"].pk,
            "Wang's lead",
            "wang.rep",
        )


def test_lead_shared_with_a_rep_becomes_visible(world, leads, api_as):
    org_services.share_create(
        actor=world["wang.rep"],
        object_type="lead",
        object_id=leads["wang"].pk,
        user=world["li.rep"],
    )
    response = api_as(world["li.rep"]).get("leads", {"limit": 200})
    assert {item["id"] for item in response.json()["items"]} == _ids(leads, {"li", "wang"})


def test_share_endpoint_accepts_leads_the_actor_may_change(world, leads, api_as):
    response = api_as(world["wang.rep"]).post(
        "org/shares",
        {"object_type": "lead", "object_id": leads["wang"].pk, "user_id": world["li.rep"].pk},
    )
    assert response.status_code == 201, response.content
    assert api_as(world["li.rep"]).get(f"leads/{leads['wang'].pk}").status_code == 200


def test_filters_narrow_the_list(world, leads, api_as):
    LeadFactory(
        owner=world["li.rep"],
        name="张三",
        company="上海云帆科技",
        phone="138 0013 8000",
        email="Zhang.San@Example.com",
        source="website",
        region="华东",
        status="qualified",
    )
    client = api_as(world["li.rep"])

    def names(params):
        response = client.get("leads", params)
        assert response.status_code == 200, response.content
        return [item["name"] for item in response.json()["items"]]

    assert names({"q": "云帆"}) == ["张三"]
    assert names({"q": "zhang.san@example"}) == ["张三"]
    assert names({"q": "13800138000"}) == ["张三"]
    assert names({"status": "qualified"}) == ["张三"]
    assert names({"source": "website"}) == ["张三"]
    assert names({"region": "华东"}) == ["张三"]
    assert names({"owner_id": world["li.rep"].pk, "sort": "name"}) == ["Li's lead", "张三"]
    assert names({"q": "nothing-like-this"}) == []


def test_bad_list_parameters_are_named(world, api_as):
    client = api_as(world["li.rep"])
    for params, field in (
        ({"status": "won"}, "status"),
        ({"sort": "owner"}, "sort"),
        ({"limit": 0}, "limit"),
    ):
        response = client.get("leads", params)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field


def test_list_query_count_does_not_grow_with_page_size(world, api_as):
    for i in range(30):
        LeadFactory(owner=world["li.rep"] if i % 2 else world["wang.rep"], name=f"Bulk {i}")
    client = api_as(world["zhang.manager"])
    counts = []
    for limit in (5, 25):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("leads", {"limit": limit})
        assert response.status_code == 200
        assert len(response.json()["items"]) == limit
        assert {item["owner"]["username"] for item in response.json()["items"]} == {
            "li.rep",
            "wang.rep",
        }
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
