"""Milestone notifications (50 / 90 / 100 %): who is told, how it reads in each language, that
winning a deal tells them at once, and that nobody is told twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from dealbook.collaboration import kinds
from dealbook.collaboration.models import Notification
from dealbook.core.models import AuditEvent
from dealbook.pipeline import services as pipeline_services
from dealbook.pipeline.models import Deal
from dealbook.targets import notifying
from dealbook.targets.models import Target, TargetMilestone
from dealbook.targets.periods import local_midnight, local_today, period_containing
from dealbook.targets.services import target_milestones_record
from tests.factories import AccountFactory
from tests.pipeline.factories import PipelineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(world):
    return PipelineFactory(org=world.org, name="Sales")


@pytest.fixture
def quarter(world):
    return period_containing("quarter", local_today(ZoneInfo(world.org.time_zone)))


def _target(world, quarter, *, scope, user=None, team=None, amount=2, metric="deals_won"):
    return Target.objects.create(
        org=world.org,
        metric=metric,
        scope=scope,
        user=world[user] if user else None,
        team=world.teams[team] if team else None,
        period_kind="quarter",
        start_date=quarter.start,
        end_date=quarter.end,
        amount=Decimal(amount),
        status="approved",
    )


def _win(world, login, name="Win"):
    person = world[login]
    account = AccountFactory(owner=person)
    deal = pipeline_services.deal_create(
        actor=person, account_id=account.pk, name=name, amount=Decimal(1000)
    )
    pipeline_services.deal_win(actor=person, deal_id=deal.pk)
    return deal


def _told(world) -> dict[str, list[str]]:
    """Login → the notification texts they got, in English, oldest first."""
    logins = {user.pk: login for login, user in world.users.items()}
    told: dict[str, list[str]] = {}
    with translation.override("en"):
        for n in Notification.objects.order_by("id"):
            told.setdefault(logins[n.recipient_id], []).append(kinds.text_of(n.kind, n.params))
    return told


def test_winning_a_deal_tells_the_person_and_the_managers_above_at_once(
    world, sales, quarter, django_capture_on_commit_callbacks
):
    person = _target(world, quarter, scope="person", user="li.rep")
    east = _target(world, quarter, scope="team", team="East", amount=4)
    company = _target(world, quarter, scope="company", amount=20)
    with django_capture_on_commit_callbacks(execute=True):
        _win(world, "li.rep")
    label = quarter.label
    assert _told(world) == {
        "li.rep": [f"李娜 Li Na reached 50% of the Deals won target for {label}."],
        "zhang.manager": [
            f"李娜 Li Na reached 50% of the Deals won target for {label}.",
        ],
    }
    assert list(TargetMilestone.objects.values_list("target_id", "threshold")) == [(person.pk, 50)]
    with django_capture_on_commit_callbacks(execute=True):
        _win(world, "li.rep", name="Second")
    told = _told(world)
    assert told["li.rep"][1:] == [
        f"李娜 Li Na reached 90% of the Deals won target for {label}.",
        f"李娜 Li Na reached 100% of the Deals won target for {label}.",
    ]
    # East's manager hears of Li's target and of the team's (2 of 4 = 50 %); the director,
    # who manages the Sales team above East, of East's.
    assert told["zhang.manager"][1:] == [
        f"李娜 Li Na reached 90% of the Deals won target for {label}.",
        f"李娜 Li Na reached 100% of the Deals won target for {label}.",
        f"East reached 50% of the Deals won target for {label}.",
    ]
    assert told["chen.director"] == [f"East reached 50% of the Deals won target for {label}."]
    assert not TargetMilestone.objects.filter(target=company).exists()  # 2 of 20
    assert set(TargetMilestone.objects.values_list("target_id", "threshold")) == {
        (person.pk, 50),
        (person.pk, 90),
        (person.pk, 100),
        (east.pk, 50),
    }
    urls = set(Notification.objects.values_list("url", flat=True))
    assert urls == {f"/targets/{person.pk}/", f"/targets/{east.pk}/"}
    assert AuditEvent.objects.filter(verb="notify", object_type="notification").count() == (
        Notification.objects.count()
    )


def test_a_colleagues_win_does_not_count_for_my_target(
    world, sales, quarter, django_capture_on_commit_callbacks
):
    _target(world, quarter, scope="person", user="li.rep", amount=1)
    with django_capture_on_commit_callbacks(execute=True):
        _win(world, "wang.rep")
    assert Notification.objects.count() == 0
    assert TargetMilestone.objects.count() == 0


def test_the_company_target_tells_the_director_and_the_job_tells_nobody_twice(
    world, sales, quarter, django_capture_on_commit_callbacks
):
    _target(world, quarter, scope="company", amount=1)
    _win(world, "liu.rep")  # on-commit callbacks not run: the daily job catches it
    assert Notification.objects.count() == 0
    assert target_milestones_record(org=world.org) == 3
    assert target_milestones_record(org=world.org) == 0
    assert _told(world) == {
        "chen.director": [
            f"The company reached {p}% of its Deals won target for {quarter.label}."
            for p in (50, 90, 100)
        ]
    }


def test_a_draft_target_is_not_counted(world, sales, quarter, django_capture_on_commit_callbacks):
    target = _target(world, quarter, scope="person", user="li.rep", amount=1)
    target.status = "draft"
    target.save()
    with django_capture_on_commit_callbacks(execute=True):
        _win(world, "li.rep")
    assert Notification.objects.count() == 0


def test_the_notification_reads_in_the_readers_language(world, quarter):
    target = _target(world, quarter, scope="person", user="li.rep", metric="revenue_won")
    notifying.notify_milestone(target, org=world.org, threshold=90)
    notification = Notification.objects.get(recipient=world["li.rep"])
    with translation.override("zh-hans"):
        text = kinds.text_of(notification.kind, notification.params)
        label = quarter.label
    assert text == f"李娜 Li Na 已完成{label}赢单收入目标的 90%。"


def test_a_kind_nobody_words_still_reads_as_something():
    with translation.override("en"):
        assert kinds.text_of("gone", {}) == "You have a notification."
        assert kinds.text_of(notifying.KIND, {"metric": "nope"}) == "You have a notification."


def test_a_call_logged_as_done_counts_at_once(world, quarter, django_capture_on_commit_callbacks):
    from dealbook.activities import services as activity_services

    target = _target(
        world, quarter, scope="person", user="li.rep", amount=1, metric="activities_calls"
    )
    with django_capture_on_commit_callbacks(execute=True):
        activity_services.activity_log(actor=world["li.rep"], kind="note", subject="Not a call")
    assert Notification.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        activity_services.activity_log(actor=world["li.rep"], kind="call", subject="Called")
    assert set(
        TargetMilestone.objects.filter(target=target).values_list("threshold", flat=True)
    ) == {
        50,
        90,
        100,
    }
    assert _told(world)["li.rep"][0] == (
        f"李娜 Li Na reached 50% of the Calls target for {quarter.label}."
    )


def test_a_target_over_for_more_than_a_month_tells_nobody(world, sales, quarter):
    old, late = quarter.previous().previous(), quarter.previous()
    # Ten days after the last quarter ended: its target still counts, the one before not.
    for period in (old, late):
        _target(world, period, scope="company", amount=1)
    _win(world, "li.rep")
    Deal.objects.update(closed_at=local_midnight(old.start, ZoneInfo(world.org.time_zone)))
    today = late.end + dt.timedelta(days=10)
    assert target_milestones_record(org=world.org, today=today) == 0
    Deal.objects.update(closed_at=local_midnight(late.start, ZoneInfo(world.org.time_zone)))
    assert target_milestones_record(org=world.org, today=today) == 3
