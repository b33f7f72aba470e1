"""Creating leads: ownership, territory rules with round-robin, the pool, duplicates, bad input."""

from __future__ import annotations

import pytest

from dealbook.core.models import AuditEvent
from dealbook.leads import services
from dealbook.leads.models import AssignmentRule, Lead
from dealbook.org import services as org_services
from tests.leads.factories import AssignmentRuleFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def south_rule(world, ma_rep):
    return AssignmentRuleFactory(
        team=world.teams["South"], name="South territory", region="华南", order=1
    )


def _events(lead_id):
    return list(AuditEvent.objects.filter(object_type="lead", object_id=lead_id).order_by("id"))


def test_rep_creates_lead_owned_by_herself_and_audited_once(world, api_as):
    li = world["li.rep"]
    response = api_as(li).post(
        "leads",
        {
            "name": " 张三 ",
            "company": "上海云帆科技",
            "email": "ZS@Example.com",
            "source": "website",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["owner"]["username"], body["status"], body["version"]) == (
        "张三",
        "li.rep",
        "new",
        1,
    )
    assert body["assigned_by_rule_id"] is None
    lead = Lead.objects.get(pk=body["id"])
    assert (lead.org_id, lead.email_normalized) == (world.org.pk, "zs@example.com")
    [event] = _events(lead.pk)
    assert (event.verb, event.actor_id) == ("create", li.pk)
    assert event.changes == {
        "name": [None, "张三"],
        "company": [None, "上海云帆科技"],
        "email": [None, "ZS@Example.com"],
        "source": [None, "website"],
        "owner_id": [None, li.pk],
        "assigned_by_rule": [None, None],
    }


def test_manager_may_assign_to_his_rep_but_rep_may_not_assign_to_a_colleague(world, api_as):
    response = api_as(world["zhang.manager"]).post(
        "leads", {"name": "A", "owner_id": world["li.rep"].pk}
    )
    assert response.status_code == 201
    assert response.json()["owner"]["username"] == "li.rep"
    denied = api_as(world["li.rep"]).post("leads", {"name": "B", "owner_id": world["wang.rep"].pk})
    assert denied.status_code == 403
    unknown = api_as(world["zhang.manager"]).post(
        "leads", {"name": "C", "owner_id": world["acme.rep"].pk}
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "owner_id"
    assert list(Lead.objects.values_list("name", flat=True)) == ["A"]


def test_marketing_lead_follows_territory_rule_round_robin(world, api_as, south_rule, ma_rep):
    AssignmentRuleFactory(team=world.teams["East"], name="East territory", region="华东", order=2)
    client = api_as(world["feng.marketing"])
    owners, rule_ids = [], []
    for i in range(5):
        response = client.post("leads", {"name": f"South {i}", "region": "华南"})
        assert response.status_code == 201, response.content
        owners.append(response.json()["owner"]["username"])
        rule_ids.append(response.json()["assigned_by_rule_id"])
    assert owners == ["liu.rep", "ma.rep", "liu.rep", "ma.rep", "liu.rep"]
    assert rule_ids == [south_rule.pk] * 5
    south_rule.refresh_from_db()
    assert (south_rule.last_assigned_id, south_rule.version) == (world["liu.rep"].pk, 1)
    lead = Lead.objects.get(name="South 1")
    [event] = _events(lead.pk)
    assert (event.actor_id, event.changes["owner_id"], event.changes["assigned_by_rule"]) == (
        world["feng.marketing"].pk,
        [None, ma_rep.pk],
        [None, south_rule.pk],
    )
    # Only reps of the team take turns: the manager (zhao) is never picked.
    assert not Lead.objects.filter(owner=world["zhao.manager"]).exists()


def test_round_robin_skips_inactive_reps_and_follows_user_id(world, south_rule, ma_rep):
    third = org_services.user_create(
        actor=None,
        org=world.org,
        username="qian.rep",
        password=None,
        role="sales_rep",
        team=world.teams["South"],
    )
    type(ma_rep).objects.filter(pk=ma_rep.pk).update(is_active=False)
    owners = [
        services.lead_create(actor=world["admin"], name=f"L{i}", region="华南").owner.username
        for i in range(4)
    ]
    assert owners == ["liu.rep", third.username, "liu.rep", third.username]


def test_rules_are_tried_in_order_and_blank_conditions_match_anything(world, ma_rep):
    event_rule = AssignmentRuleFactory(team=world.teams["Key Accounts"], source="event", order=1)
    catch_all = AssignmentRuleFactory(team=world.teams["East"], order=5)
    AssignmentRuleFactory(team=world.teams["South"], region="华南", order=3, is_active=False)
    by_event = services.lead_create(
        actor=world["feng.marketing"], name="Fair", region="华南", source="event"
    )
    by_default = services.lead_create(
        actor=world["feng.marketing"], name="Web", region="华南", source="website"
    )
    assert (by_event.owner, by_event.assigned_by_rule) == (world["zhou.rep"], event_rule)
    assert (by_default.owner, by_default.assigned_by_rule) == (world["li.rep"], catch_all)


def test_marketing_lead_without_matching_rule_goes_to_the_pool(world, api_as, south_rule):
    response = api_as(world["feng.marketing"]).post("leads", {"name": "Northern", "region": "华北"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["owner"], body["assigned_by_rule_id"]) == (None, None)
    [event] = _events(body["id"])
    assert (event.changes["owner_id"], event.changes["assigned_by_rule"]) == (
        [None, None],
        [None, None],
    )
    south_rule.refresh_from_db()
    assert south_rule.last_assigned_id is None


def test_apply_rules_false_sends_the_lead_to_the_pool(world, api_as, south_rule):
    response = api_as(world["admin"]).post(
        "leads", {"name": "Manual", "region": "华南", "apply_rules": False}
    )
    assert response.status_code == 201
    assert response.json()["owner"] is None


def test_sales_creator_keeps_the_lead_even_when_a_rule_matches(world, south_rule):
    lead = services.lead_create(actor=world["li.rep"], name="Mine", region="华南")
    assert (lead.owner, lead.assigned_by_rule) == (world["li.rep"], None)


@pytest.mark.parametrize("login", ["zheng.service", "wu.finance", "he.product"])
def test_roles_without_lead_write_cannot_create(world, api_as, login):
    response = api_as(world[login]).post("leads", {"name": "Nope"})
    assert response.status_code == 403
    assert not Lead.objects.exists()
    assert not AuditEvent.objects.filter(object_type="lead").exists()


def test_duplicate_email_of_an_open_lead_is_refused_with_field(world, api_as):
    LeadFactory(owner=world["wang.rep"], email="Buyer@Example.com")
    response = api_as(world["li.rep"]).post(
        "leads", {"name": "Again", "email": " buyer@example.COM"}
    )
    assert response.status_code == 409
    problem = response.json()
    assert (problem["code"], problem["errors"][0]["field"]) == ("duplicate", "email")
    assert Lead.objects.count() == 1


def test_duplicate_phone_in_another_form_is_refused(world, api_as):
    LeadFactory(owner=world["wang.rep"], phone="+86 138-0013-8000")
    response = api_as(world["li.rep"]).post(
        "leads", {"name": "Again", "phone": "１３８００１３８０００"}
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "phone"
    assert Lead.objects.count() == 1


def test_duplicate_check_ignores_closed_leads_other_orgs_and_can_be_overridden(world, api_as):
    LeadFactory(owner=world["wang.rep"], email="closed@example.com", status="converted")
    LeadFactory(owner=world["acme.rep"], email="acme@example.com")
    LeadFactory(owner=world["wang.rep"], email="open@example.com")
    client = api_as(world["li.rep"])
    assert client.post("leads", {"name": "A", "email": "closed@example.com"}).status_code == 201
    assert client.post("leads", {"name": "B", "email": "acme@example.com"}).status_code == 201
    forced = client.post(
        "leads", {"name": "C", "email": "open@example.com", "ignore_duplicates": True}
    )
    assert forced.status_code == 201


def test_invalid_input_is_named_and_changes_nothing(world, api_as):
    client = api_as(world["li.rep"])
    cases = [
        ({"name": "X", "colour": "red"}, "colour"),
        ({"name": "X", "source": "billboard"}, "source"),
        ({"name": "X", "industry": 5}, "industry"),
        ({"region": "华东"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "X" * 121}, "name"),
        ({"name": "X", "owner_id": 0}, "owner_id"),
    ]
    for body, field in cases:
        response = client.post("leads", body)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["errors"][0]["field"] == field
    blank = client.post("leads", {"name": "   "})
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["field"] == "name"
    assert not Lead.objects.exists()
    assert AssignmentRule.objects.count() == 0
