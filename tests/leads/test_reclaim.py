"""Idle leads and accounts return to the pool: the scheduled job, its task and its command."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dealbook import cli
from dealbook.core.models import AuditEvent
from dealbook.customers import services as customer_services
from dealbook.customers.models import Account
from dealbook.leads import services, tasks
from dealbook.leads.models import Lead
from tests.factories import AccountFactory
from tests.leads.factories import LeadFactory, ago, set_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def idle(world, now):
    """With pool_idle_days=30: which records are idle and which are not."""
    set_row(world.org, pool_idle_days=30)
    li, wang = world["li.rep"], world["wang.rep"]
    records = {
        "lead_old": LeadFactory(owner=li, name="old, never touched"),
        "lead_old_activity": LeadFactory(owner=li, name="old activity"),
        "lead_recent_activity": LeadFactory(owner=li, name="recent activity"),
        "lead_recent_claim": LeadFactory(owner=wang, name="claimed lately"),
        "lead_new": LeadFactory(owner=wang, name="created lately"),
        "lead_converted": LeadFactory(owner=wang, name="converted", status="converted"),
        "lead_pool": LeadFactory(org=world.org, owner=None, name="already in pool"),
        "account_old": AccountFactory(owner=li, name="Idle prospect"),
        "account_customer": AccountFactory(
            owner=li, name="Idle customer", lifecycle_stage="customer"
        ),
        "account_recent": AccountFactory(owner=wang, name="Active prospect"),
    }
    old = ago(now, 45)
    for key in records:
        if key != "lead_new":
            set_row(records[key], created_at=old)
    set_row(records["lead_old_activity"], last_activity_at=ago(now, 31))
    set_row(records["lead_recent_activity"], last_activity_at=ago(now, 29))
    set_row(records["lead_recent_claim"], claimed_at=ago(now, 3))
    set_row(records["account_recent"], last_activity_at=ago(now, 1))
    return records


def _owner_ids(records):
    for record in records.values():
        record.refresh_from_db()
    return {key: record.owner_id for key, record in records.items()}


def test_idle_leads_and_accounts_return_to_the_pool(world, idle, now):
    before = _owner_ids(idle)
    result = services.reclaim_idle_records(now=now)
    assert result == services.ReclaimResult(leads=2, accounts=1)
    after = _owner_ids(idle)
    reclaimed = {"lead_old", "lead_old_activity", "account_old"}
    assert {key for key in idle if after[key] != before[key]} == reclaimed
    assert all(after[key] is None for key in reclaimed)
    for key in ("lead_old", "lead_old_activity"):
        assert (idle[key].claimed_at, idle[key].released_at, idle[key].version) == (None, now, 2)
    events = AuditEvent.objects.filter(verb="reclaim").order_by("id")
    assert [(e.object_type, e.object_id, e.actor_id) for e in events] == [
        ("lead", idle["lead_old"].pk, None),
        ("lead", idle["lead_old_activity"].pk, None),
        ("account", idle["account_old"].pk, None),
    ]
    assert events[0].changes["owner_id"] == [world["li.rep"].pk, None]


def test_reclaim_is_idempotent(world, idle, now):
    services.reclaim_idle_records(now=now)
    events = AuditEvent.objects.count()
    assert services.reclaim_idle_records(now=now) == services.ReclaimResult(leads=0, accounts=0)
    assert AuditEvent.objects.count() == events


def test_activity_resets_the_idle_clock(world, idle, now):
    services.lead_touch(lead_id=idle["lead_old"].pk, at=now)
    services.lead_touch(lead_id=idle["lead_old"].pk, at=ago(now, 40))  # older touches never go back
    idle["lead_old"].refresh_from_db()
    assert idle["lead_old"].last_activity_at == now
    assert services.reclaim_idle_records(now=now).leads == 1


def test_a_failure_leaves_the_organisation_as_it_was(world, idle, now, monkeypatch):
    second = AccountFactory(owner=world["wang.rep"], name="Second idle prospect")
    set_row(second, created_at=ago(now, 60))
    real = customer_services.account_reclaim_one
    calls = []

    def fail_on_second(*, account, now):
        calls.append(account.pk)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real(account=account, now=now)

    monkeypatch.setattr(customer_services, "account_reclaim_one", fail_on_second)
    owners = _owner_ids({**idle, "second": second})
    events = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match="disk full"):
        services.reclaim_idle_records(now=now)
    assert len(calls) == 2
    assert _owner_ids({**idle, "second": second}) == owners
    assert AuditEvent.objects.count() == events
    assert not Lead.objects.filter(released_at__isnull=False).exists()
    assert not Account.objects.filter(released_at__isnull=False).exists()


def test_other_organisations_follow_their_own_idle_days(world, now):
    set_row(world.acme, pool_idle_days=90)
    acme_lead = LeadFactory(owner=world["acme.rep"])
    set_row(acme_lead, created_at=ago(now, 60))
    huaxin_lead = LeadFactory(owner=world["li.rep"])
    set_row(huaxin_lead, created_at=ago(now, 60))
    assert services.reclaim_idle_records(now=now) == services.ReclaimResult(leads=1, accounts=0)
    acme_lead.refresh_from_db()
    huaxin_lead.refresh_from_db()
    assert (acme_lead.owner_id, huaxin_lead.owner_id) == (world["acme.rep"].pk, None)


def test_task_and_command_run_the_reclaim(world, idle, capsys):
    result = tasks.reclaim_idle_records_task.enqueue()
    assert result.return_value == {"leads": 2, "accounts": 1}
    assert tasks.reclaim_idle_records() == {"leads": 0, "accounts": 0}
    assert cli.main(["pool-reclaim"]) == 0
    assert capsys.readouterr().out.strip() == "{'leads': 0, 'accounts': 0}"
