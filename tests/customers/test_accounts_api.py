from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dealbook.core.models import AuditEvent
from dealbook.customers.models import Account, Contact
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_rep_creates_account_owned_by_herself_and_audited(world, api_as):
    li = world["li.rep"]
    response = api_as(li).post(
        "accounts", {"name": "上海云帆科技有限公司", "industry": "technology", "tags": ["VIP"]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"]["username"] == "li.rep"
    assert body["tags"] == ["VIP"]
    assert body["version"] == 1
    account = Account.objects.get(pk=body["id"])
    assert account.org_id == world.org.pk
    event = AuditEvent.objects.get(object_type="account", object_id=account.pk)
    assert event.actor_id == li.pk
    assert event.verb == "create"
    assert event.changes["name"] == [None, "上海云帆科技有限公司"]
    assert event.changes["owner_id"] == [None, li.pk]


def test_duplicate_name_with_full_width_and_suffix_is_refused(world, api_as):
    AccountFactory(owner=world["wang.rep"], name="ＡＢＣ  Trading Co., Ltd.")
    response = api_as(world["li.rep"]).post("accounts", {"name": "abc trading"})
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "duplicate"
    assert problem["errors"][0]["field"] == "name"
    assert response["Content-Type"] == "application/problem+json"
    assert Account.objects.filter(org=world.org).count() == 1


def test_duplicate_phone_in_other_forms_is_refused(world, api_as):
    AccountFactory(owner=world["wang.rep"], name="First", phone="+86 138-0013-8000")
    response = api_as(world["li.rep"]).post(
        "accounts", {"name": "Second", "phone": "１３８００１３８０００"}
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "phone"


def test_duplicate_can_be_overridden(world, api_as):
    AccountFactory(owner=world["wang.rep"], name="Same Name")
    response = api_as(world["li.rep"]).post(
        "accounts", {"name": "Same name", "ignore_duplicates": True}
    )
    assert response.status_code == 201


def test_stale_version_gets_412_and_changes_nothing(world, api_as):
    account = AccountFactory(owner=world["li.rep"], name="Versioned")
    client = api_as(world["li.rep"])
    first = client.patch(f"accounts/{account.pk}", {"version": 1, "region": "华东"})
    assert first.status_code == 200
    assert first.json()["version"] == 2
    stale = client.patch(f"accounts/{account.pk}", {"version": 1, "region": "华南"})
    assert stale.status_code == 412
    assert stale.json()["errors"][0]["field"] == "version"
    account.refresh_from_db()
    assert (account.region, account.version) == ("华东", 2)


def test_unknown_field_and_wrong_type_are_named(world, api_as):
    client = api_as(world["li.rep"])
    unknown = client.post("accounts", {"name": "X", "colour": "red"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "colour"
    wrong = client.post("accounts", {"name": "X", "industry": 5})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "industry"
    missing = client.post("accounts", {"region": "华东"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "name"
    assert not Account.objects.exists()


def test_list_query_count_does_not_grow_with_page_size(world, api_as):
    for i in range(30):
        account = AccountFactory(owner=world["li.rep"], name=f"Client {i}")
        account.tags.create(org=world.org, name=f"t{i}")
    client = api_as(world["li.rep"])
    counts = []
    for limit in (5, 25):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("accounts", {"limit": limit})
        assert response.status_code == 200
        assert len(response.json()["items"]) == limit
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_merge_moves_contacts_fills_blanks_and_audits_once(world, api_as):
    manager = world["zhang.manager"]
    survivor = AccountFactory(owner=world["li.rep"], name="Survivor")
    duplicate = AccountFactory(owner=world["wang.rep"], name="Survivor copy", region="华东")
    contact = ContactFactory(account=duplicate)
    before = AuditEvent.objects.count()
    response = api_as(manager).post(f"accounts/{survivor.pk}/merge", {"duplicate_id": duplicate.pk})
    assert response.status_code == 200, response.content
    assert response.json()["region"] == "华东"
    assert not Account.objects.filter(pk=duplicate.pk).exists()
    assert Contact.objects.get(pk=contact.pk).account_id == survivor.pk
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.verb, e.object_id, e.actor_id) for e in events] == [
        ("merge", survivor.pk, manager.pk)
    ]
    assert events[0].changes["moved"] == [None, {"customers.contact": 1}]


def test_rep_cannot_merge(world, api_as):
    a = AccountFactory(owner=world["li.rep"], name="A")
    b = AccountFactory(owner=world["li.rep"], name="B")
    response = api_as(world["li.rep"]).post(f"accounts/{a.pk}/merge", {"duplicate_id": b.pk})
    assert response.status_code == 403
    assert Account.objects.filter(pk=b.pk).exists()


def test_bearer_token_authenticates_and_revoked_token_does_not(world, api_as):
    created = api_as(world["li.rep"]).post("org/tokens", {"name": "script"})
    assert created.status_code == 201
    token = created.json()["token"]
    from django.test import Client

    client = Client()
    me = client.get("/api/v1/org/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    assert me.json()["username"] == "li.rep"
    api_as(world["li.rep"]).delete(f"org/tokens/{created.json()['id']}")
    assert client.get("/api/v1/org/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_anonymous_gets_401_problem(db):
    from django.test import Client

    response = Client().get("/api/v1/accounts")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
