"""Assignment rules: admins configure them, managers and executives read them."""

from __future__ import annotations

import pytest

from dealbook.core.models import AuditEvent
from dealbook.leads.models import AssignmentRule, Lead
from tests.leads.factories import AssignmentRuleFactory

pytestmark = pytest.mark.django_db


def _rule_events():
    return [
        (e.verb, e.object_id, e.actor_id)
        for e in AuditEvent.objects.filter(object_type="assignmentrule")
    ]


def test_admin_creates_updates_and_deletes_a_rule(world, api_as):
    admin = world["admin"]
    client = api_as(admin)
    created = client.post(
        "leads/assignment-rules",
        {
            "name": "South territory",
            "team_id": world.teams["South"].pk,
            "region": "华南",
            "order": 1,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (
        body["name"],
        body["team"]["name"],
        body["region"],
        body["source"],
        body["is_active"],
        body["version"],
    ) == (
        "South territory",
        "South",
        "华南",
        "",
        True,
        1,
    )
    rule_id = body["id"]
    updated = client.patch(
        f"leads/assignment-rules/{rule_id}", {"version": 1, "source": "event", "is_active": False}
    )
    assert updated.status_code == 200, updated.content
    assert (updated.json()["source"], updated.json()["is_active"], updated.json()["version"]) == (
        "event",
        False,
        2,
    )
    stale = client.patch(f"leads/assignment-rules/{rule_id}", {"version": 1, "name": "Stale"})
    assert stale.status_code == 412
    assert client.delete(f"leads/assignment-rules/{rule_id}").status_code == 204
    assert not AssignmentRule.objects.exists()
    assert _rule_events() == [
        ("create", rule_id, admin.pk),
        ("update", rule_id, admin.pk),
        ("delete", rule_id, admin.pk),
    ]


def test_deleting_a_rule_keeps_the_leads_it_assigned(world, api_as):
    rule = AssignmentRuleFactory(team=world.teams["East"])
    lead = api_as(world["feng.marketing"]).post("leads", {"name": "Assigned"}).json()
    assert lead["assigned_by_rule_id"] == rule.pk
    assert api_as(world["admin"]).delete(f"leads/assignment-rules/{rule.pk}").status_code == 204
    assert Lead.objects.get(pk=lead["id"]).assigned_by_rule_id is None


@pytest.mark.parametrize("login", ["admin", "chen.director", "zhang.manager"])
def test_admins_executives_and_managers_read_rules(world, api_as, login):
    first = AssignmentRuleFactory(team=world.teams["East"], order=2, name="B")
    second = AssignmentRuleFactory(team=world.teams["South"], order=1, name="A")
    AssignmentRuleFactory(team=world.teams["Acme Sales"], name="Acme")
    response = api_as(world[login]).get("leads/assignment-rules")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [second.pk, first.pk]


@pytest.mark.parametrize("login", ["li.rep", "feng.marketing", "wu.finance", "he.product"])
def test_other_roles_cannot_read_rules(world, api_as, login):
    AssignmentRuleFactory(team=world.teams["East"])
    assert api_as(world[login]).get("leads/assignment-rules").status_code == 403


@pytest.mark.parametrize("login", ["chen.director", "zhang.manager", "li.rep", "feng.marketing"])
def test_only_admins_change_rules(world, api_as, login):
    rule = AssignmentRuleFactory(team=world.teams["East"], name="Keep")
    client = api_as(world[login])
    assert (
        client.post(
            "leads/assignment-rules", {"name": "X", "team_id": world.teams["East"].pk}
        ).status_code
        == 403
    )
    assert (
        client.patch(f"leads/assignment-rules/{rule.pk}", {"version": 1, "name": "Y"}).status_code
        == 403
    )
    assert client.delete(f"leads/assignment-rules/{rule.pk}").status_code == 403
    rule.refresh_from_db()
    assert (rule.name, rule.version, AssignmentRule.objects.count()) == ("Keep", 1, 1)
    assert _rule_events() == []


def test_rule_input_is_validated_and_named(world, api_as):
    client = api_as(world["admin"])
    east = world.teams["East"].pk
    for body, field in (
        ({"name": "X", "team_id": world.teams["Acme Sales"].pk}, "team_id"),
        ({"name": "X", "team_id": 999_999}, "team_id"),
        ({"name": "X"}, "team_id"),
        ({"name": "", "team_id": east}, "name"),
        ({"name": "   ", "team_id": east}, "name"),
        ({"name": "X", "team_id": east, "source": "billboard"}, "source"),
        ({"name": "X", "team_id": east, "order": 40000}, "order"),
        ({"name": "X", "team_id": east, "colour": "red"}, "colour"),
    ):
        response = client.post("leads/assignment-rules", body)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["errors"][0]["field"] == field
    assert not AssignmentRule.objects.exists()


def test_rules_of_another_org_are_404(world, api_as):
    acme_rule = AssignmentRuleFactory(team=world.teams["Acme Sales"], name="Acme")
    client = api_as(world["admin"])
    assert (
        client.patch(
            f"leads/assignment-rules/{acme_rule.pk}", {"version": 1, "name": "Mine"}
        ).status_code
        == 404
    )
    assert client.delete(f"leads/assignment-rules/{acme_rule.pk}").status_code == 404
    acme_rule.refresh_from_db()
    assert acme_rule.name == "Acme"
