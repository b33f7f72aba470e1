"""Pipelines, stages, products, competitors and lost reasons: who reads, who configures."""

from __future__ import annotations

import pytest

from dealbook.core.errors import PermissionDenied
from dealbook.core.models import AuditEvent
from dealbook.pipeline import services
from dealbook.pipeline.models import Competitor, LostReason, Pipeline, Product, Stage
from tests.pipeline.factories import (
    CompetitorFactory,
    DealFactory,
    LostReasonFactory,
    PipelineFactory,
    ProductFactory,
    stage,
)

pytestmark = pytest.mark.django_db

STANDARD_STAGES = [
    ("Qualification", 10, 10, "open", []),
    ("Needs analysis", 20, 20, "open", ["expected_close_date"]),
    ("Proposal", 30, 50, "open", ["amount", "contacts"]),
    ("Negotiation", 40, 75, "open", ["amount", "expected_close_date"]),
    ("Won", 50, 100, "won", []),
    ("Lost", 60, 0, "lost", ["lost_reason"]),
]


def _stages(pipeline: Pipeline) -> list[tuple]:
    return [
        (s.name, s.order, s.probability, s.kind, s.required_fields)
        for s in Stage.objects.filter(pipeline=pipeline).order_by("order")
    ]


def test_pipeline_create_default_builds_the_standard_stages_once_audited(world):
    before = AuditEvent.objects.count()
    pipeline = services.pipeline_create_default(actor=None, org=world.org)
    assert (pipeline.name, pipeline.is_default, pipeline.org_id) == ("Sales", True, world.org.pk)
    assert _stages(pipeline) == STANDARD_STAGES
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.verb, e.object_type, e.object_id, e.actor_id) for e in events] == [
        ("create", "pipeline", pipeline.pk, None)
    ]
    assert len(events[0].changes["stages"][1]) == 6
    second = services.pipeline_create_default(actor=world["admin"], org=world.org, name="Renewals")
    assert second.is_default is False


def test_pipeline_create_default_refuses_non_admins_and_other_orgs(world):
    with pytest.raises(PermissionDenied):
        services.pipeline_create_default(actor=world["chen.director"], org=world.org)
    with pytest.raises(PermissionDenied, match="own organisation"):
        services.pipeline_create_default(actor=world["acme.admin"], org=world.org)
    assert not Pipeline.objects.exists()


def test_admin_creates_pipeline_through_api(world, api_as, sales):
    response = api_as(world["admin"]).post("pipelines", {"name": "Projects", "is_default": True})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_default"] is True
    assert [(s["name"], s["kind"]) for s in body["stages"]][-2:] == [
        ("Won", "won"),
        ("Lost", "lost"),
    ]
    sales.refresh_from_db()
    assert sales.is_default is False
    custom = api_as(world["admin"]).post(
        "pipelines",
        {
            "name": "Simple",
            "stages": [
                {"name": "Open", "probability": 30},
                {"name": "Done", "probability": 100, "kind": "won"},
            ],
        },
    )
    assert custom.status_code == 201, custom.content
    assert [(s["name"], s["order"]) for s in custom.json()["stages"]] == [
        ("Open", 10),
        ("Done", 20),
    ]


@pytest.mark.parametrize("login", ["chen.director", "zhang.manager", "li.rep", "wu.finance"])
def test_non_admins_cannot_create_pipelines_or_stages(world, api_as, sales, login):
    client = api_as(world[login])
    before = AuditEvent.objects.count()
    assert client.post("pipelines", {"name": "Mine"}).status_code == 403
    assert client.post(f"pipelines/{sales.pk}/stages", {"name": "Extra"}).status_code == 403
    qualification = stage(sales, "Qualification")
    assert (
        client.patch(f"stages/{qualification.pk}", {"version": 1, "probability": 5}).status_code
        == 403
    )
    assert list(Pipeline.objects.values_list("name", flat=True)) == ["Sales"]
    assert Stage.objects.count() == 6
    qualification.refresh_from_db()
    assert qualification.probability == 10
    assert AuditEvent.objects.count() == before


def test_duplicate_pipeline_name_is_409(world, api_as, sales):
    response = api_as(world["admin"]).post("pipelines", {"name": "Sales"})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "name"


def test_pipelines_and_stages_are_read_by_deal_readers_only(world, api_as, sales):
    PipelineFactory(org=world.acme, name="Acme pipeline")
    for login in ("li.rep", "wu.finance", "chen.director"):
        response = api_as(world[login]).get("pipelines")
        assert response.status_code == 200
        assert [p["name"] for p in response.json()["items"]] == ["Sales"], login
        stages = api_as(world[login]).get(f"pipelines/{sales.pk}/stages").json()["items"]
        assert [(s["name"], s["probability"]) for s in stages] == [
            (n, p) for n, _, p, _, _ in STANDARD_STAGES
        ]
    for login in ("zheng.service", "he.product"):
        assert api_as(world[login]).get("pipelines").json()["items"] == []
        assert api_as(world[login]).get(f"pipelines/{sales.pk}/stages").status_code == 404
    assert api_as(world["acme.admin"]).get(f"pipelines/{sales.pk}/stages").status_code == 404


def test_admin_adds_and_updates_stages(world, api_as, sales):
    admin = api_as(world["admin"])
    response = admin.post(
        f"pipelines/{sales.pk}/stages",
        {
            "name": "Contract review",
            "probability": 90,
            "order": 45,
            "required_fields": ["line_items"],
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["order"], created["required_fields"], created["version"]) == (
        45,
        ["line_items"],
        1,
    )
    last = admin.post(f"pipelines/{sales.pk}/stages", {"name": "Archive", "probability": 0})
    assert last.json()["order"] == 70
    patched = admin.patch(
        f"stages/{created['id']}", {"version": 1, "probability": 85, "required_fields": []}
    )
    assert patched.status_code == 200
    assert (
        patched.json()["probability"],
        patched.json()["required_fields"],
        patched.json()["version"],
    ) == (85, [], 2)
    stale = admin.patch(f"stages/{created['id']}", {"version": 1, "probability": 1})
    assert stale.status_code == 412
    assert Stage.objects.get(pk=created["id"]).probability == 85


def test_stage_input_is_validated(world, api_as, sales):
    admin = api_as(world["admin"])
    cases = [
        ({"name": "X", "required_fields": ["budget"]}, 422, "required_fields[0]"),
        ({"name": "X", "required_fields": ["lost_reason"]}, 422, "required_fields"),
        ({"name": "X", "probability": 101}, 422, "probability"),
        ({"name": "X", "kind": "maybe"}, 422, "kind"),
        ({"name": "X", "order": 10}, 409, "order"),
        ({"name": "X", "order": 40_000}, 422, "order"),
        ({"probability": 5}, 422, "name"),
    ]
    for body, status, field in cases:
        response = admin.post(f"pipelines/{sales.pk}/stages", body)
        assert response.status_code == status, (body, response.content)
        assert response.json()["errors"][0]["field"] == field, body
    assert Stage.objects.count() == 6
    assert admin.post("pipelines/999999/stages", {"name": "X"}).status_code == 404


def test_kind_of_a_stage_with_deals_cannot_change(world, api_as, sales):
    qualification = stage(sales, "Qualification")
    DealFactory(owner=world["li.rep"])
    response = api_as(world["admin"]).patch(
        f"stages/{qualification.pk}", {"version": 1, "kind": "won"}
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "kind"
    qualification.refresh_from_db()
    assert qualification.kind == "open"


def test_catalog_is_configured_by_admins_and_executives(world, api_as, sales):
    director = api_as(world["chen.director"])
    response = director.post(
        "products", {"name": "ERP licence", "sku": "ERP-1", "unit_price": "1234.56"}
    )
    assert response.status_code == 201, response.content
    assert (response.json()["unit_price"], response.json()["currency"]) == ("1234.56", "CNY")
    assert director.post("competitors", {"name": "Kingdee"}).status_code == 201
    assert api_as(world["admin"]).post("lost-reasons", {"name": "Price"}).status_code == 201
    duplicate = director.post("competitors", {"name": "Kingdee"})
    assert duplicate.status_code == 409
    assert duplicate.json()["errors"][0]["field"] == "name"
    before = AuditEvent.objects.count()
    for login in ("li.rep", "zhang.manager", "wu.finance"):
        client = api_as(world[login])
        assert client.post("products", {"name": "Other"}).status_code == 403
        assert client.post("competitors", {"name": "Other"}).status_code == 403
        assert client.post("lost-reasons", {"name": "Other"}).status_code == 403
    assert AuditEvent.objects.count() == before
    assert list(Product.objects.values_list("name", flat=True)) == ["ERP licence"]
    assert list(Competitor.objects.values_list("name", flat=True)) == ["Kingdee"]
    assert list(LostReason.objects.values_list("name", flat=True)) == ["Price"]


def test_catalog_is_read_by_deal_readers_of_the_same_org(world, api_as, sales):
    ProductFactory(org=world.org, name="Huaxin product")
    ProductFactory(org=world.acme, name="Acme product", currency="USD")
    CompetitorFactory(org=world.org, name="Yonyou")
    LostReasonFactory(org=world.org, name="Timing")
    li = api_as(world["li.rep"])
    assert [p["name"] for p in li.get("products").json()["items"]] == ["Huaxin product"]
    assert [c["name"] for c in li.get("competitors").json()["items"]] == ["Yonyou"]
    assert [r["name"] for r in li.get("lost-reasons").json()["items"]] == ["Timing"]
    service = api_as(world["zheng.service"])
    for path in ("products", "competitors", "lost-reasons"):
        assert service.get(path).json()["items"] == []
    assert [p["name"] for p in api_as(world["acme.admin"]).get("products").json()["items"]] == [
        "Acme product"
    ]
