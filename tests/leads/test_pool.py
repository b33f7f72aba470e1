"""The lead pool: browsing, claiming within the limit, releasing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dealbook.core.models import AuditEvent
from dealbook.leads.models import Lead
from tests.leads.factories import LeadFactory, set_row

pytestmark = pytest.mark.django_db


def _lead_events(lead):
    return [
        (e.verb, e.actor_id)
        for e in AuditEvent.objects.filter(object_type="lead", object_id=lead.pk)
    ]


@pytest.fixture
def pool(world):
    return [LeadFactory(org=world.org, owner=None, name=f"Pool {i}") for i in range(3)]


def test_pool_lists_unowned_open_leads_with_claim_status(world, api_as, pool):
    LeadFactory(org=world.org, owner=None, name="Closed", status="unqualified")
    LeadFactory(owner=world["wang.rep"], name="Owned")
    LeadFactory(org=world.acme, owner=None, name="Acme pool")
    claimed = LeadFactory(owner=world["li.rep"], name="Claimed", claimed_at=timezone.now())
    LeadFactory(
        owner=world["li.rep"],
        name="Claimed but lost",
        claimed_at=timezone.now(),
        status="unqualified",
    )
    set_row(world.org, pool_claim_limit=7)
    response = api_as(world["li.rep"]).get("leads/pool", {"limit": 50})
    assert response.status_code == 200, response.content
    body = response.json()
    assert {item["name"] for item in body["items"]} == {"Pool 0", "Pool 1", "Pool 2"}
    assert body["claims"] == {"open_claims": 1, "limit": 7}
    assert claimed.pk not in {item["id"] for item in body["items"]}
    searched = api_as(world["li.rep"]).get("leads/pool", {"q": "Pool 1"})
    assert [item["name"] for item in searched.json()["items"]] == ["Pool 1"]


@pytest.mark.parametrize("login", ["zhang.manager", "chen.director", "admin"])
def test_pool_is_open_to_sales_and_org_wide_roles(world, api_as, pool, login):
    response = api_as(world[login]).get("leads/pool")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 3


@pytest.mark.parametrize("login", ["zheng.service", "wu.finance", "he.product", "acme.admin"])
def test_pool_is_empty_for_other_roles_and_orgs(world, api_as, pool, login):
    response = api_as(world[login]).get("leads/pool")
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_pool_query_count_does_not_grow_with_page_size(world, api_as):
    for i in range(30):
        LeadFactory(org=world.org, owner=None, name=f"P{i}")
    counts = []
    for limit in (5, 25):
        with CaptureQueriesContext(connection) as ctx:
            response = api_as(world["li.rep"]).get("leads/pool", {"limit": limit})
        assert len(response.json()["items"]) == limit
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_rep_claims_a_pool_lead(world, api_as, pool):
    li = world["li.rep"]
    response = api_as(li).post(f"leads/{pool[0].pk}/claim")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["owner"]["username"], body["version"]) == ("li.rep", 2)
    assert body["claimed_at"] is not None
    pool[0].refresh_from_db()
    assert pool[0].owner_id == li.pk
    [event] = AuditEvent.objects.filter(object_type="lead", object_id=pool[0].pk)
    assert (event.verb, event.actor_id, event.changes["owner_id"]) == (
        "claim",
        li.pk,
        [None, li.pk],
    )
    assert api_as(li).get("leads/pool").json()["claims"]["open_claims"] == 1


def test_claim_at_the_limit_is_refused_and_changes_nothing(world, api_as, pool):
    set_row(world.org, pool_claim_limit=2)
    client = api_as(world["li.rep"])
    assert client.post(f"leads/{pool[0].pk}/claim").status_code == 200
    assert client.post(f"leads/{pool[1].pk}/claim").status_code == 200
    refused = client.post(f"leads/{pool[2].pk}/claim")
    assert refused.status_code == 409
    assert refused.json()["code"] == "claim_limit"
    pool[2].refresh_from_db()
    assert (pool[2].owner_id, pool[2].claimed_at, pool[2].version) == (None, None, 1)
    assert _lead_events(pool[2]) == []
    # Leads the rep created herself do not count against the limit; closed claims neither.
    LeadFactory(owner=world["li.rep"], name="Own")
    Lead.objects.filter(pk=pool[0].pk).update(status="converted")
    assert client.post(f"leads/{pool[2].pk}/claim").status_code == 200


def test_claim_of_an_owned_lead_is_409_or_404_when_hidden(world, api_as):
    lead = LeadFactory(owner=world["wang.rep"], name="Wang's")
    response = api_as(world["zhang.manager"]).post(f"leads/{lead.pk}/claim")
    assert response.status_code == 409
    assert response.json()["code"] == "not_in_pool"
    assert api_as(world["li.rep"]).post(f"leads/{lead.pk}/claim").status_code == 404
    lead.refresh_from_db()
    assert (lead.owner_id, lead.version) == (world["wang.rep"].pk, 1)
    assert _lead_events(lead) == []


def test_closed_unowned_lead_is_not_in_the_pool(world, api_as):
    lead = LeadFactory(org=world.org, owner=None, status="unqualified")
    assert api_as(world["li.rep"]).post(f"leads/{lead.pk}/claim").status_code == 404
    lead.refresh_from_db()
    assert (lead.owner_id, lead.version) == (None, 1)


@pytest.mark.parametrize(
    ("login", "status"), [("feng.marketing", 403), ("admin", 403), ("zheng.service", 404)]
)
def test_non_sales_roles_cannot_claim(world, api_as, pool, login, status):
    response = api_as(world[login]).post(f"leads/{pool[0].pk}/claim")
    assert response.status_code == status
    pool[0].refresh_from_db()
    assert pool[0].owner_id is None


def test_claim_of_another_orgs_lead_is_404(world, api_as):
    lead = LeadFactory(org=world.acme, owner=None)
    assert api_as(world["li.rep"]).post(f"leads/{lead.pk}/claim").status_code == 404
    lead.refresh_from_db()
    assert lead.owner_id is None


def test_release_returns_the_lead_to_the_pool(world, api_as, pool):
    li = world["li.rep"]
    client = api_as(li)
    client.post(f"leads/{pool[0].pk}/claim")
    response = client.post(f"leads/{pool[0].pk}/release", {"reason": "Not my territory"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["owner"], body["claimed_at"], body["version"]) == (None, None, 3)
    assert body["released_at"] is not None
    events = list(
        AuditEvent.objects.filter(object_type="lead", object_id=pool[0].pk).order_by("id")
    )
    assert [(e.verb, e.actor_id) for e in events] == [("claim", li.pk), ("release", li.pk)]
    assert events[1].changes["owner_id"] == [li.pk, None]
    assert events[1].changes["reason"] == [None, "Not my territory"]
    assert client.get("leads/pool").json()["claims"]["open_claims"] == 0
    assert client.get(f"leads/{pool[0].pk}").status_code == 404


def test_release_denied_cases_change_nothing(world, api_as, pool):
    own = LeadFactory(owner=world["li.rep"], name="Mine")
    assert api_as(world["wang.rep"]).post(f"leads/{own.pk}/release", {}).status_code == 404
    assert api_as(world["feng.marketing"]).post(f"leads/{own.pk}/release", {}).status_code == 403
    already = api_as(world["admin"]).post(f"leads/{pool[0].pk}/release", {})
    assert (already.status_code, already.json()["code"]) == (409, "not_owned")
    too_long = api_as(world["li.rep"]).post(f"leads/{own.pk}/release", {"reason": "x" * 501})
    assert (too_long.status_code, too_long.json()["errors"][0]["field"]) == (422, "reason")
    own.refresh_from_db()
    assert (own.owner_id, own.version) == (world["li.rep"].pk, 1)
    assert _lead_events(own) == []


def test_manager_releases_his_reps_lead(world, api_as):
    lead = LeadFactory(owner=world["li.rep"])
    response = api_as(world["zhang.manager"]).post(f"leads/{lead.pk}/release", {})
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.owner_id is None
