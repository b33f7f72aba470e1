"""Changing leads: fields, status transitions, versions, deletion."""

from __future__ import annotations

import pytest

from dealbook.core.models import AuditEvent
from dealbook.leads.models import Lead
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _events(lead):
    return [
        (e.verb, e.actor_id, e.changes)
        for e in AuditEvent.objects.filter(object_type="lead", object_id=lead.pk)
    ]


def test_owner_updates_fields_audited_once(world, api_as):
    lead = LeadFactory(owner=world["li.rep"], name="Old", phone="")
    response = api_as(world["li.rep"]).patch(
        f"leads/{lead.pk}",
        {"version": 1, "name": "New", "phone": "+86 139 0000 1111", "status": "contacted"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["phone"], body["status"], body["version"]) == (
        "New",
        "+86 139 0000 1111",
        "contacted",
        2,
    )
    lead.refresh_from_db()
    assert lead.phone_normalized == "13900001111"
    assert _events(lead) == [
        (
            "update",
            world["li.rep"].pk,
            {
                "name": ["Old", "New"],
                "phone": ["", "+86 139 0000 1111"],
                "status": ["new", "contacted"],
                "phone_normalized": ["", "13900001111"],
            },
        )
    ]


def test_stale_version_gets_412_and_changes_nothing(world, api_as):
    lead = LeadFactory(owner=world["li.rep"], region="")
    client = api_as(world["li.rep"])
    assert client.patch(f"leads/{lead.pk}", {"version": 1, "region": "华东"}).status_code == 200
    stale = client.patch(f"leads/{lead.pk}", {"version": 1, "region": "华南"})
    assert stale.status_code == 412
    assert stale.json()["errors"][0]["field"] == "version"
    lead.refresh_from_db()
    assert (lead.region, lead.version) == ("华东", 2)
    stale_qualify = client.post(f"leads/{lead.pk}/qualify", {"version": 1})
    assert stale_qualify.status_code == 412
    lead.refresh_from_db()
    assert (lead.status, lead.version) == ("new", 2)


def test_patch_rejects_nulls_unknown_fields_and_closed_statuses(world, api_as):
    lead = LeadFactory(owner=world["li.rep"], name="Keep")
    client = api_as(world["li.rep"])
    for body, field in (
        ({"version": 1, "name": None}, "name"),
        ({"version": 1, "colour": "red"}, "colour"),
        ({"version": 1, "status": "converted"}, "status"),
        ({"version": 1, "status": "qualified"}, "status"),
        ({"name": "No version"}, "version"),
    ):
        response = client.patch(f"leads/{lead.pk}", body)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == field
    lead.refresh_from_db()
    assert (lead.name, lead.version) == ("Keep", 1)


def test_update_to_a_duplicate_email_is_refused(world, api_as):
    LeadFactory(owner=world["wang.rep"], email="taken@example.com")
    lead = LeadFactory(owner=world["li.rep"], email="mine@example.com")
    response = api_as(world["li.rep"]).patch(
        f"leads/{lead.pk}", {"version": 1, "email": "TAKEN@example.com"}
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "email"
    lead.refresh_from_db()
    assert lead.email == "mine@example.com"


@pytest.mark.parametrize("login", ["wang.rep", "zheng.service", "zhao.manager"])
def test_hidden_lead_cannot_be_updated(world, api_as, login):
    lead = LeadFactory(owner=world["li.rep"], name="Keep")
    response = api_as(world[login]).patch(f"leads/{lead.pk}", {"version": 1, "name": "Hijack"})
    assert response.status_code == 404
    lead.refresh_from_db()
    assert (lead.name, lead.version) == ("Keep", 1)


def test_marketing_reads_and_writes_leads_but_cannot_delete(world, api_as):
    lead = LeadFactory(owner=world["li.rep"], name="Campaign")
    client = api_as(world["feng.marketing"])
    assert client.patch(f"leads/{lead.pk}", {"version": 1, "source": "event"}).status_code == 200
    assert client.delete(f"leads/{lead.pk}").status_code == 403
    assert Lead.objects.filter(pk=lead.pk).exists()


def test_qualify_then_disqualify_with_reason(world, api_as):
    lead = LeadFactory(owner=world["li.rep"])
    client = api_as(world["li.rep"])
    qualified = client.post(f"leads/{lead.pk}/qualify", {"version": 1})
    assert qualified.status_code == 200, qualified.content
    assert (qualified.json()["status"], qualified.json()["version"]) == ("qualified", 2)
    disqualified = client.post(f"leads/{lead.pk}/disqualify", {"reason": "No budget"})
    assert disqualified.status_code == 200
    assert (disqualified.json()["status"], disqualified.json()["unqualified_reason"]) == (
        "unqualified",
        "No budget",
    )
    requalified = client.post(f"leads/{lead.pk}/qualify", {})
    assert (requalified.json()["status"], requalified.json()["unqualified_reason"]) == (
        "qualified",
        "",
    )
    li = world["li.rep"].pk
    assert _events(lead) == [
        ("qualify", li, {"status": ["new", "qualified"]}),
        (
            "disqualify",
            li,
            {"status": ["qualified", "unqualified"], "unqualified_reason": ["", "No budget"]},
        ),
        (
            "qualify",
            li,
            {"status": ["unqualified", "qualified"], "unqualified_reason": ["No budget", ""]},
        ),
    ]


def test_disqualify_requires_a_reason(world, api_as):
    lead = LeadFactory(owner=world["li.rep"])
    client = api_as(world["li.rep"])
    for body in ({"reason": "   "}, {}):
        response = client.post(f"leads/{lead.pk}/disqualify", body)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "reason"
    lead.refresh_from_db()
    assert (lead.status, lead.version) == ("new", 1)
    assert _events(lead) == []


def test_converted_lead_cannot_change(world, api_as):
    lead = LeadFactory(owner=world["li.rep"], status="converted", name="Done")
    client = api_as(world["li.rep"])
    responses = [
        client.post(f"leads/{lead.pk}/qualify", {}),
        client.post(f"leads/{lead.pk}/disqualify", {"reason": "late"}),
        client.patch(f"leads/{lead.pk}", {"version": 1, "name": "Changed"}),
        client.post(f"leads/{lead.pk}/convert", {"create_deal": False}),
        client.post(f"leads/{lead.pk}/release", {}),
    ]
    assert [r.status_code for r in responses] == [409] * 5
    assert responses[0].json()["code"] == "already_converted"
    lead.refresh_from_db()
    assert (lead.status, lead.name, lead.version, lead.owner_id) == (
        "converted",
        "Done",
        1,
        world["li.rep"].pk,
    )
    assert _events(lead) == []


def test_rep_cannot_delete_manager_can(world, api_as):
    lead = LeadFactory(owner=world["li.rep"], name="Gone")
    assert api_as(world["li.rep"]).delete(f"leads/{lead.pk}").status_code == 403
    assert Lead.objects.filter(pk=lead.pk).exists()
    assert api_as(world["zhao.manager"]).delete(f"leads/{lead.pk}").status_code == 404
    response = api_as(world["zhang.manager"]).delete(f"leads/{lead.pk}")
    assert response.status_code == 204
    assert not Lead.objects.filter(pk=lead.pk).exists()
    [event] = AuditEvent.objects.filter(object_type="lead", object_id=lead.pk)
    assert (event.verb, event.actor_id, event.changes) == (
        "delete",
        world["zhang.manager"].pk,
        {"name": ["Gone", None]},
    )


def test_unknown_path_id_is_404(world, api_as):
    client = api_as(world["admin"])
    assert client.get("leads/999999").status_code == 404
    assert client.patch("leads/999999", {"version": 1, "name": "X"}).status_code == 404
    assert client.post("leads/999999/qualify", {}).status_code == 404
    assert client.delete("leads/999999").status_code == 404
