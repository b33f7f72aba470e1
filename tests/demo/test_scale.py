"""`dealbook generate --scale …`: the bulk generator, at the `tiny` preset on the test DB."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from dealbook.activities.models import Activity
from dealbook.cli import main
from dealbook.core.text import normalize_name
from dealbook.customers.models import Account, Contact
from dealbook.demo.build import database_is_empty
from dealbook.demo.scale.build import ScaleRefused, build_scale
from dealbook.demo.scale.clock import ScaleClock
from dealbook.demo.scale.presets import LARGE, SMALL, TINY
from dealbook.leads.models import Lead
from dealbook.org import services as org_services
from dealbook.org.models import Organization, Team, User
from dealbook.pipeline.models import Deal, DealLineItem, StageHistory
from tests.demo import checks

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIXED_NOW = dt.datetime(2026, 3, 18, 9, 30, tzinfo=SHANGHAI)


class _Rollback(Exception):
    pass


def _tiny(seed: int = 7) -> None:
    build_scale(preset=TINY, seed=seed, now=FIXED_NOW)


def _digest() -> str:
    """A fingerprint of the generated rows, by natural keys (ids of people differ between
    builds on PostgreSQL, whose sequences do not roll back)."""
    parts = [
        checks.digest(),
        list(
            StageHistory.objects.order_by("id").values_list(
                "deal__name", "stage__name", "entered_at", "left_at", "duration_seconds"
            )
        ),
        list(
            Activity.objects.order_by("id").values_list(
                "kind", "subject", "occurred_at", "completed_at", "deal__name", "lead__name"
            )
        ),
        list(Account.objects.order_by("id").values_list("last_activity_at", "created_at")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _digest_of_build(seed: int, processes: int = 1) -> str:
    """Build inside a savepoint, fingerprint it, roll it back: the next build starts empty."""
    try:
        with transaction.atomic():
            build_scale(preset=TINY, seed=seed, now=FIXED_NOW, processes=processes)
            fingerprint = _digest()
            raise _Rollback
    except _Rollback:
        pass
    assert database_is_empty()
    return fingerprint


def _schema() -> list[tuple[str, ...]]:
    """Every index and foreign key of the database, as the database describes them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' "
                "ORDER BY tbl_name, name"
            )
            return cursor.fetchall()
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() ORDER BY 1, 2"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2"
        )
        return indexes + cursor.fetchall()


def test_tiny_has_exactly_the_preset_counts_and_consistent_records():
    schema = _schema()
    summary = build_scale(preset=TINY, seed=7, now=FIXED_NOW)
    assert (
        Account.objects.count(),
        Contact.objects.count(),
        Deal.objects.count(),
        Activity.objects.count(),
        Lead.objects.count(),
    ) == (50, 150, 200, 1_000, 8)
    assert summary.rows[Deal._meta.db_table] == 200
    assert summary.rows[Activity._meta.db_table] == 1_000
    # Status from the stage, contiguous stage history, lines summing to the amount, unique
    # normalised names, phones and emails, last activity as the activity service keeps it.
    checks.check_all()
    connection.check_constraints()
    # The indexes and foreign keys set aside for the load are back, exactly as they were.
    assert _schema() == schema
    # Some of everything: pool records, converted leads, renewals, open deals.
    assert Account.objects.filter(owner=None).exists()
    assert Lead.objects.filter(owner=None).exists()
    assert Lead.objects.filter(status="converted").count() == 2
    assert Deal.objects.filter(pipeline__name="Renewals").exists()
    assert set(Deal.objects.values_list("status", flat=True)) == {"open", "won", "lost"}
    # Company names of accounts and leads never meet after normalisation.
    keys = [normalize_name(name) for name in Account.objects.values_list("name", flat=True)]
    keys += [
        normalize_name(name)
        for name in Lead.objects.exclude(status="converted").values_list("company", flat=True)
    ]
    assert len(set(keys)) == len(keys)
    _assert_stored_as_django_writes()


def _assert_stored_as_django_writes() -> None:
    """Filtering by a value read back through the ORM finds the row: on SQLite, where
    datetimes are compared as text, that holds only if the text is Django's own."""
    for deal in Deal.objects.order_by("id")[:20]:
        assert Deal.objects.filter(pk=deal.pk, created_at=deal.created_at).exists()
        assert Deal.objects.filter(pk=deal.pk, stage_entered_at=deal.stage_entered_at).exists()
        assert deal.created_at.tzinfo is not None and deal.created_at.microsecond == 0
    for activity in Activity.objects.exclude(occurred_at=None).order_by("id")[:20]:
        assert Activity.objects.filter(pk=activity.pk, occurred_at=activity.occurred_at).exists()
    line = DealLineItem.objects.order_by("id").first()
    assert DealLineItem.objects.filter(pk=line.pk, quantity=line.quantity).exists()
    # Three years back from now, nothing in the future.
    earliest = FIXED_NOW - dt.timedelta(days=3 * 365 + 1)
    assert not StageHistory.objects.filter(entered_at__gt=FIXED_NOW).exists()
    assert not StageHistory.objects.filter(entered_at__lt=earliest).exists()
    assert not Activity.objects.filter(occurred_at__gt=FIXED_NOW).exists()
    assert not Deal.objects.filter(closed_at__gt=FIXED_NOW).exists()


def test_tiny_is_the_demo_organisation_and_its_people_sign_in():
    _tiny()
    org = Organization.objects.get()
    assert (org.name, org.slug) == ("华信科技 Huaxin Technology", "huaxin")
    assert User.objects.filter(role="sales_rep").count() == 15
    for login in ("li.rep", "zhang.manager"):
        assert User.objects.get(username=login).check_password("dealbook-demo")
    east = Team.objects.get(name="East")
    assert east.manager.username == "zhang.manager"
    assert set(Team.objects.values_list("name", flat=True)) == {
        "Sales",
        "East",
        "South",
        "Key Accounts",
    }


def test_large_organisation_gives_zhang_a_team_of_forty():
    build_scale(preset=replace(TINY, team_reps=LARGE.team_reps), seed=3, now=FIXED_NOW)
    reps = User.objects.filter(role="sales_rep")
    assert reps.count() == 200
    east = Team.objects.get(name="East")
    assert (east.manager.username, reps.filter(team=east).count()) == ("zhang.manager", 40)
    managers = dict(Team.objects.values_list("name", "manager__username"))
    assert managers["North"] == "team.north.manager"
    assert managers["West"] == "team.west.manager"
    assert managers["Central"] == "team.central.manager"
    assert dict(Team.objects.values_list("name", "region"))["North"] == "华北"
    assert User.objects.get(username="north.rep01").check_password("dealbook-demo")
    # North covers 华北: its accounts are owned there.
    north = Team.objects.get(name="North")
    assert (
        not Account.objects.filter(region="华北")
        .exclude(owner__team=north)
        .exclude(owner=None)
        .exclude(owner__team__name="Key Accounts")
        .exists()
    )


def test_li_lists_her_deals_and_opens_one_through_the_api(api_as):
    _tiny()
    li = User.objects.get(username="li.rep")
    own = set(Deal.objects.filter(owner=li).values_list("id", flat=True))
    assert own
    response = api_as(li).get("deals", {"limit": 200})
    assert response.status_code == 200, response.content
    assert {row["id"] for row in response.json()["items"]} == own
    deal = Deal.objects.filter(owner=li).order_by("-amount_minor").first()
    detail = api_as(li).get(f"deals/{deal.pk}")
    assert detail.status_code == 200, detail.content
    body = detail.json()
    assert Decimal(str(body["amount"])) == Decimal(deal.amount_minor) / 100
    assert (body["status"], body["stage"]["id"]) == (deal.status, deal.stage_id)
    assert body["contact_ids"]
    history = api_as(li).get(f"deals/{deal.pk}/history")
    assert history.status_code == 200, history.content
    # Another rep's deal is not hers to see.
    other = Deal.objects.exclude(owner=li).first()
    assert api_as(li).get(f"deals/{other.pk}").status_code == 404


def test_same_seed_builds_the_same_data_and_another_seed_does_not():
    first = _digest_of_build(11)
    # However many generator processes share the accounts, the data is the same.
    assert _digest_of_build(11, processes=3) == first
    assert _digest_of_build(12) != first


@pytest.mark.django_db(transaction=True)
def test_command_outside_a_transaction_loads_through_the_attached_scratch_files(capsys):
    """What `dealbook generate` does on a fresh SQLite file (INSERT … SELECT from the
    attached scratch files, foreign keys checked at the end); PostgreSQL streams with COPY."""
    schema = _schema()
    assert main(["generate", "--scale", "tiny", "--seed", "9"]) == 0
    assert "table activities_activity: 1,000 rows" in capsys.readouterr().out
    assert (Account.objects.count(), Deal.objects.count(), Activity.objects.count()) == (
        50,
        200,
        1_000,
    )
    checks.check_all()
    assert _schema() == schema
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone() == (1,)
            cursor.execute("PRAGMA database_list")
            attached = [row[1] for row in cursor.fetchall()]
            assert not [name for name in attached if name.startswith("scratch")]


def test_refuses_a_database_that_holds_an_organisation(capsys):
    org_services.organization_create(name="Real Customer Ltd", slug="real")
    with pytest.raises(ScaleRefused, match="already holds an organisation or users"):
        _tiny()
    assert main(["generate", "--scale", "tiny"]) == 2
    assert "already holds an organisation or users" in capsys.readouterr().err
    assert (Organization.objects.count(), User.objects.count(), Account.objects.count()) == (
        1,
        0,
        0,
    )


def test_command_reports_each_table_and_the_peak_memory(capsys):
    assert main(["generate", "--scale", "tiny", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "table activities_activity: 1,000 rows" in out
    assert "table pipeline_deal: 200 rows" in out
    assert "rows/s" in out
    assert "peak RSS:" in out
    assert Deal.objects.count() == 200


def test_presets_have_the_sizes_of_the_issue():
    assert (SMALL.accounts, SMALL.contacts, SMALL.deals, SMALL.activities) == (
        500,
        1_500,
        2_000,
        10_000,
    )
    assert (LARGE.accounts, LARGE.contacts, LARGE.deals, LARGE.activities, LARGE.reps) == (
        200_000,
        500_000,
        1_000_000,
        5_000_000,
        200,
    )
    assert dict(LARGE.team_reps)["East"] == 40
    assert (TINY.leads, SMALL.leads, LARGE.leads) == (8, 75, 30_000)  # 15 % of accounts


def test_clock_knows_office_hours_quarter_ends_and_the_spring_festival():
    clock = ScaleClock(now=FIXED_NOW, zone="Asia/Shanghai", years=3, sqlite=True)
    saturday_night = int(dt.datetime(2026, 3, 14, 23, 10, tzinfo=SHANGHAI).timestamp())
    moved = clock.aware(clock.office(saturday_night))
    assert moved.weekday() < 5 and 9 <= moved.hour < 19 and moved < clock.aware(saturday_night)
    march_3 = int(dt.datetime(2026, 3, 3, 12, tzinfo=SHANGHAI).timestamp())
    assert clock.quarter_end(march_3) == clock.local_day(
        int(dt.datetime(2026, 3, 31, 12, tzinfo=SHANGHAI).timestamp())
    )
    festival = int(dt.datetime(2026, 2, 17, 12, tzinfo=SHANGHAI).timestamp())
    assert clock.is_slow(festival) and not clock.is_slow(march_3)
    # UTC text, as Django writes an aware datetime on SQLite.
    assert clock.text(march_3) == "2026-03-03 04:00:00"
