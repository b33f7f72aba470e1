from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dealbook.core import audit
from dealbook.core.models import AuditEvent
from dealbook.customers import services
from dealbook.customers.models import Account, Contact
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_rep_claims_pool_account_and_it_is_audited(world, api_as):
    li = world["li.rep"]
    pooled = AccountFactory(org=world.org, owner=None, name="Pool Co")
    response = api_as(li).post(f"accounts/{pooled.pk}/claim")
    assert response.status_code == 200, response.content
    assert response.json()["owner"]["username"] == "li.rep"
    pooled.refresh_from_db()
    assert pooled.owner_id == li.pk
    assert pooled.claimed_at is not None
    event = AuditEvent.objects.get(object_type="account", object_id=pooled.pk)
    assert (event.verb, event.actor_id, event.changes["owner_id"]) == (
        "claim",
        li.pk,
        [None, li.pk],
    )


def test_claim_limit_refuses_and_changes_nothing(world, api_as):
    world.org.pool_claim_limit = 1
    world.org.save()
    li = world["li.rep"]
    first = AccountFactory(org=world.org, owner=None, name="One")
    second = AccountFactory(org=world.org, owner=None, name="Two")
    assert api_as(li).post(f"accounts/{first.pk}/claim").status_code == 200
    refused = api_as(li).post(f"accounts/{second.pk}/claim")
    assert refused.status_code == 409
    assert refused.json()["code"] == "claim_limit"
    second.refresh_from_db()
    assert (second.owner_id, second.version) == (None, 1)


def test_claiming_an_owned_account_is_refused(world, api_as):
    owned = AccountFactory(owner=world["wang.rep"], name="Owned")
    response = api_as(world["zhang.manager"]).post(f"accounts/{owned.pk}/claim")
    assert response.status_code == 409
    assert response.json()["code"] == "not_in_pool"
    hidden = api_as(world["li.rep"]).post(f"accounts/{owned.pk}/claim")
    assert hidden.status_code == 404
    owned.refresh_from_db()
    assert (owned.owner_id, owned.version) == (world["wang.rep"].pk, 1)


def test_finance_cannot_claim(world, api_as):
    pooled = AccountFactory(org=world.org, owner=None, name="Pool Co")
    response = api_as(world["wu.finance"]).post(f"accounts/{pooled.pk}/claim")
    assert response.status_code == 403
    pooled.refresh_from_db()
    assert pooled.owner_id is None


def test_release_returns_account_to_pool_with_reason(world, api_as):
    li = world["li.rep"]
    account = AccountFactory(owner=li, name="Mine")
    response = api_as(li).post(f"accounts/{account.pk}/release", {"reason": "no budget"})
    assert response.status_code == 200
    account.refresh_from_db()
    assert account.owner_id is None
    event = AuditEvent.objects.get(object_type="account", object_id=account.pk)
    assert event.verb == "release"
    assert event.changes["reason"] == [None, "no budget"]
    pool = api_as(world["wang.rep"]).get("accounts/pool")
    assert [item["id"] for item in pool.json()["items"]] == [account.pk]


def test_pool_is_not_offered_to_finance_or_other_orgs(world, api_as):
    AccountFactory(org=world.org, owner=None, name="Pool Co")
    assert api_as(world["wu.finance"]).get("accounts/pool").json()["items"] == []
    assert api_as(world["acme.admin"]).get("accounts/pool").json()["items"] == []


def test_idle_prospects_are_due_for_reclaim_but_customers_are_not(world):
    now = timezone.now()
    li = world["li.rep"]
    idle = AccountFactory(owner=li, name="Idle", last_activity_at=now - dt.timedelta(days=31))
    AccountFactory(owner=li, name="Fresh", last_activity_at=now - dt.timedelta(days=29))
    AccountFactory(
        owner=li,
        name="Customer",
        lifecycle_stage="customer",
        last_activity_at=now - dt.timedelta(days=90),
    )
    due = services.accounts_due_for_reclaim(org=world.org, now=now)
    assert [a.pk for a in due] == [idle.pk]


def test_merge_failure_half_way_leaves_everything_as_it_was(world, api_as, monkeypatch):
    survivor = AccountFactory(owner=world["li.rep"], name="Survivor")
    duplicate = AccountFactory(owner=world["li.rep"], name="Duplicate", region="华东")
    contact = ContactFactory(account=duplicate)

    def failing_record(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", failing_record)
    with pytest.raises(RuntimeError):
        services.account_merge(
            actor=world["zhang.manager"], survivor_id=survivor.pk, duplicate_id=duplicate.pk
        )
    assert Account.objects.filter(pk=duplicate.pk).exists()
    assert Contact.objects.get(pk=contact.pk).account_id == duplicate.pk
    survivor.refresh_from_db()
    assert (survivor.region, survivor.version) == ("", 1)


def test_merge_into_itself_is_refused(world, api_as):
    account = AccountFactory(owner=world["li.rep"], name="Only")
    response = api_as(world["zhang.manager"]).post(
        f"accounts/{account.pk}/merge", {"duplicate_id": account.pk}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "duplicate_id"


def test_merge_with_invisible_duplicate_is_404_naming_the_field(world, api_as):
    survivor = AccountFactory(owner=world["li.rep"], name="East one")
    south = AccountFactory(owner=world["liu.rep"], name="South one")
    response = api_as(world["zhang.manager"]).post(
        f"accounts/{survivor.pk}/merge", {"duplicate_id": south.pk}
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "duplicate_id"
    assert Account.objects.filter(pk=south.pk).exists()
