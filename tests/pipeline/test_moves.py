"""Moving deals between stages: requirements, history with durations, win / lose, events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dealbook.core import events as core_events
from dealbook.core.models import AuditEvent
from dealbook.pipeline import selectors, services
from dealbook.pipeline.events import DealLost, DealStageChanged, DealWon
from dealbook.pipeline.models import Deal, StageHistory
from tests.factories import AccountFactory, ContactFactory
from tests.pipeline.factories import (
    CompetitorFactory,
    DealFactory,
    LostReasonFactory,
    PipelineFactory,
    stage,
)

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    """A settable `timezone.now` so durations are exact."""

    class Clock:
        now = T0

        def set(self, value: dt.datetime) -> None:
            self.now = value

    current = Clock()
    monkeypatch.setattr(timezone, "now", lambda: current.now)
    return current


@pytest.fixture
def published(monkeypatch) -> list:
    """Domain events of the pipeline, as handlers receive them after commit."""
    received: list = []
    for event_type in (DealStageChanged, DealWon, DealLost):
        monkeypatch.setitem(core_events._handlers, event_type, [received.append])
    return received


def _events_since(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("id")[before:])


def _history(deal: Deal) -> list[tuple]:
    return [
        (h.stage.name, h.from_stage.name if h.from_stage else None, h.duration_seconds)
        for h in StageHistory.objects.filter(deal=deal).select_related("stage", "from_stage")
    ]


def test_move_with_missing_requirements_lists_each_field_and_changes_nothing(world, api_as, sales):
    li = world["li.rep"]
    deal = DealFactory(owner=li)
    before = AuditEvent.objects.count()
    response = api_as(li).post(
        f"deals/{deal.pk}/move", {"stage_id": stage(sales, "Negotiation").pk, "version": 1}
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "stage_requirements"
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("amount", "required"),
        ("expected_close_date", "required"),
    ]
    deal.refresh_from_db()
    assert (deal.stage.name, deal.version, deal.probability) == ("Qualification", 1, 10)
    assert StageHistory.objects.filter(deal=deal).count() == 1
    assert AuditEvent.objects.count() == before


def test_move_with_values_supplied_records_history_durations_and_one_event(
    world, api_as, sales, clock, published, django_capture_on_commit_callbacks
):
    li = world["li.rep"]
    deal = DealFactory(owner=li, stage_entered_at=T0)
    contact = ContactFactory(account=deal.account)
    client = api_as(li)
    proposal, negotiation = stage(sales, "Proposal"), stage(sales, "Negotiation")

    clock.set(T0 + dt.timedelta(days=3, hours=2))
    before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"deals/{deal.pk}/move",
            {
                "stage_id": proposal.pk,
                "version": 1,
                "amount": "48000.00",
                "contact_ids": [contact.pk],
            },
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["stage"]["name"], body["probability"], body["amount"], body["version"]) == (
        "Proposal",
        50,
        "48000.00",
        2,
    )
    assert body["contact_ids"] == [contact.pk]
    assert body["stage_entered_at"] == "2026-03-05T03:30:00Z"
    events = _events_since(before)
    assert [(e.verb, e.object_id, e.actor_id) for e in events] == [("move_stage", deal.pk, li.pk)]
    changes = events[0].changes
    assert changes["stage"] == [stage(sales, "Qualification").pk, proposal.pk]
    assert changes["amount_minor"] == [0, 4_800_000]
    assert changes["contact_ids"] == [[], [contact.pk]]
    assert changes["probability"] == [10, 50]
    assert published == [
        DealStageChanged(
            org_id=world.org.pk,
            deal_id=deal.pk,
            from_stage_id=stage(sales, "Qualification").pk,
            to_stage_id=proposal.pk,
            changed_by_id=li.pk,
            changed_at=clock.now,
        )
    ]

    clock.set(T0 + dt.timedelta(days=10))
    response = client.post(
        f"deals/{deal.pk}/move",
        {"stage_id": negotiation.pk, "version": 2, "expected_close_date": "2026-04-30"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["expected_close_date"] == "2026-04-30"
    assert _history(deal) == [
        ("Qualification", None, 3 * 86400 + 2 * 3600),
        ("Proposal", "Qualification", 6 * 86400 + 22 * 3600),
        ("Negotiation", "Proposal", None),
    ]
    history = client.get(f"deals/{deal.pk}/history").json()["items"]
    assert [(h["stage"]["name"], h["duration_seconds"], h["is_current"]) for h in history] == [
        ("Qualification", 266_400, False),
        ("Proposal", 597_600, False),
        ("Negotiation", None, True),
    ]
    assert history[2]["changed_by"]["username"] == "li.rep"


@pytest.mark.parametrize(
    ("stayed", "seconds"),
    [
        (dt.timedelta(seconds=59, microseconds=999_999), 59),  # whole seconds, cut, not rounded
        (dt.timedelta(days=2, seconds=1, microseconds=1), 2 * 86400 + 1),
        (dt.timedelta(microseconds=-1), 0),  # a clock set back: never a negative stay
    ],
)
def test_a_stay_lasts_the_whole_seconds_between_entering_and_leaving(
    world, sales, clock, stayed, seconds
):
    li = world["li.rep"]
    account = AccountFactory(owner=li)
    deal = services.deal_create(actor=li, account_id=account.pk, name="Stay")
    clock.set(T0 + stayed)
    services.deal_move_to_stage(
        actor=li,
        deal_id=deal.pk,
        stage_id=stage(sales, "Proposal").pk,
        version=1,
        values={"amount": "1.00", "contact_ids": [ContactFactory(account=account).pk]},
    )
    assert sorted(_history(deal), key=lambda stay: stay[1] or "") == [
        ("Qualification", None, seconds),
        ("Proposal", "Qualification", None),
    ]


def test_win_closes_the_deal_and_publishes_deal_won(
    world, api_as, sales, clock, published, django_capture_on_commit_callbacks
):
    li = world["li.rep"]
    deal = DealFactory(owner=li, stage=stage(sales, "Negotiation"), amount_minor=10_000_00)
    before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(li).post(f"deals/{deal.pk}/win", {"version": 1})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["stage"]["name"], body["probability"]) == ("won", "Won", 100)
    assert (body["closed_at"], body["weighted_amount"]) == ("2026-03-02T01:30:00Z", "10000.00")
    events = _events_since(before)
    assert [(e.verb, e.actor_id) for e in events] == [("win", li.pk)]
    assert events[0].changes["status"] == ["open", "won"]
    assert [type(event) for event in published] == [DealStageChanged, DealWon]
    assert published[1] == DealWon(
        org_id=world.org.pk,
        deal_id=deal.pk,
        owner_id=li.pk,
        amount_minor=10_000_00,
        currency="CNY",
        closed_at=T0,
    )
    again = api_as(li).post(f"deals/{deal.pk}/win", {"version": 2})
    assert again.status_code == 409
    assert again.json()["code"] == "already_in_stage"


def test_lose_needs_a_reason_and_records_it_with_competitors(
    world, api_as, sales, published, django_capture_on_commit_callbacks
):
    li = world["li.rep"]
    deal = DealFactory(owner=li)
    reason = LostReasonFactory(org=world.org, name="Price")
    competitor = CompetitorFactory(org=world.org, name="Kingdee")
    client = api_as(li)
    missing = client.post(f"deals/{deal.pk}/lose", {"version": 1})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "lost_reason_id"
    unknown = client.post(f"deals/{deal.pk}/lose", {"version": 1, "lost_reason_id": 999_999})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "lost_reason_id"
    deal.refresh_from_db()
    assert (deal.status, deal.version) == ("open", 1)

    before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"deals/{deal.pk}/lose",
            {
                "version": 1,
                "lost_reason_id": reason.pk,
                "note": "20% cheaper",
                "competitor_ids": [competitor.pk],
            },
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["stage"]["name"], body["probability"]) == ("lost", "Lost", 0)
    assert (body["lost_reason"], body["lost_note"]) == (
        {"id": reason.pk, "name": "Price"},
        "20% cheaper",
    )
    assert body["competitors"] == [{"id": competitor.pk, "name": "Kingdee"}]
    events = _events_since(before)
    assert [(e.verb, e.actor_id) for e in events] == [("lose", li.pk)]
    assert events[0].changes["lost_reason"] == [None, reason.pk]
    assert events[0].changes["competitor_ids"] == [[], [competitor.pk]]
    assert [type(event) for event in published] == [DealStageChanged, DealLost]
    assert published[1].lost_reason_id == reason.pk


def test_reopening_a_lost_deal_clears_closing_fields(world, sales):
    li = world["li.rep"]
    deal = DealFactory(owner=li)
    reason = LostReasonFactory(org=world.org)
    services.deal_lose(actor=li, deal_id=deal.pk, lost_reason_id=reason.pk, note="No budget")
    moved = services.deal_move_to_stage(
        actor=li, deal_id=deal.pk, stage_id=stage(sales, "Qualification").pk, version=2
    )
    assert (moved.id, moved.status, moved.version, moved.lost_reason_id) == (
        deal.pk,
        "open",
        3,
        None,
    )
    deal.refresh_from_db()
    assert (deal.status, deal.closed_at, deal.lost_reason_id, deal.lost_note) == (
        "open",
        None,
        None,
        "",
    )
    assert (deal.probability, deal.version) == (10, 3)


def test_stale_version_gets_412_and_changes_nothing(world, api_as, sales):
    li = world["li.rep"]
    deal = DealFactory(owner=li, amount_minor=100_00, expected_close_date=dt.date(2026, 5, 1))
    services.deal_update(actor=li, deal_id=deal.pk, version=1, values={"name": "Renamed"})
    before = AuditEvent.objects.count()
    response = api_as(li).post(
        f"deals/{deal.pk}/move", {"stage_id": stage(sales, "Needs analysis").pk, "version": 1}
    )
    assert response.status_code == 412
    assert response.json()["errors"][0]["field"] == "version"
    assert api_as(li).post(f"deals/{deal.pk}/win", {"version": 1}).status_code == 412
    deal.refresh_from_db()
    assert (deal.stage.name, deal.version) == ("Qualification", 2)
    assert StageHistory.objects.filter(deal=deal).count() == 1
    assert AuditEvent.objects.count() == before


def test_moving_to_a_stage_of_another_pipeline_is_422(world, api_as, sales):
    li = world["li.rep"]
    deal = DealFactory(owner=li)
    other = PipelineFactory(org=world.org, name="Renewals", is_default=False)
    for stage_id in (stage(other, "Proposal").pk, 999_999):
        response = api_as(li).post(f"deals/{deal.pk}/move", {"stage_id": stage_id, "version": 1})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "stage_id"
    deal.refresh_from_db()
    assert (deal.stage.name, deal.version) == ("Qualification", 1)
    assert StageHistory.objects.filter(deal=deal).count() == 1


def test_lost_reason_only_goes_with_a_lost_stage(world, api_as, sales):
    li = world["li.rep"]
    deal = DealFactory(owner=li)
    reason = LostReasonFactory(org=world.org)
    response = api_as(li).post(
        f"deals/{deal.pk}/move",
        {
            "stage_id": stage(sales, "Needs analysis").pk,
            "version": 1,
            "lost_reason_id": reason.pk,
            "expected_close_date": "2026-09-01",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lost_reason_id"


def test_move_input_is_bounded_and_named(world, api_as, sales):
    li = world["li.rep"]
    deal = DealFactory(owner=li)
    client = api_as(li)
    target = stage(sales, "Proposal").pk
    cases = [
        ({"stage_id": target}, "version"),
        ({"version": 1}, "stage_id"),
        ({"stage_id": target, "version": 1, "amount": "-5"}, "amount"),
        ({"stage_id": target, "version": 1, "probability": 90}, "probability"),
        (
            {"stage_id": target, "version": 1, "contact_ids": [999_999], "amount": "1"},
            "contact_ids",
        ),
    ]
    for body, field in cases:
        response = client.post(f"deals/{deal.pk}/move", body)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == field, body
    deal.refresh_from_db()
    assert deal.version == 1


def test_finance_cannot_move_and_rep_cannot_see_colleagues_deal(world, api_as, sales):
    deal = DealFactory(owner=world["wang.rep"])
    target = {
        "stage_id": stage(sales, "Needs analysis").pk,
        "version": 1,
        "expected_close_date": "2026-09-01",
    }
    assert api_as(world["wu.finance"]).post(f"deals/{deal.pk}/move", target).status_code == 403
    assert api_as(world["li.rep"]).post(f"deals/{deal.pk}/move", target).status_code == 404
    assert api_as(world["li.rep"]).get(f"deals/{deal.pk}/history").status_code == 404
    assert api_as(world["wang.rep"]).post(f"deals/{deal.pk}/move", target).status_code == 200
    deal.refresh_from_db()
    assert deal.stage.name == "Needs analysis"


def test_stage_history_selector_follows_deal_visibility(world, sales):
    li, wang = world["li.rep"], world["wang.rep"]
    own = DealFactory(owner=li)
    other = DealFactory(owner=wang, account=own.account)
    for actor, expected in (
        (li, {own.pk}),
        (world["zhang.manager"], {own.pk, other.pk}),
        (world["zheng.service"], set()),
    ):
        rows = selectors.stage_history_list(actor=actor, account_id=own.account_id)
        assert {row.deal_id for row in rows} == expected
    assert list(selectors.stage_history_list(actor=li, deal_id=other.pk)) == []


@pytest.mark.django_db(transaction=True)
def test_a_move_whose_lost_reason_goes_before_the_commit_is_refused_whole(
    world, sales, monkeypatch
):
    """What a move refers to and another request deletes before the move commits (here the
    lost reason, deleted by a stand-in right after the checks) refuses the move with 409."""
    from dealbook.core.errors import DomainError
    from dealbook.pipeline.services import deals as deal_services

    li = world["li.rep"]
    deal = DealFactory(owner=li)
    reason = LostReasonFactory(org=world.org, name="Vanishing reason")
    checked = deal_services._raise_if_requirements_missing

    def check_then_delete(stage_, facts):
        checked(stage_, facts)
        type(reason).objects.filter(pk=reason.pk).delete()

    monkeypatch.setattr(deal_services, "_raise_if_requirements_missing", check_then_delete)
    with pytest.raises(DomainError) as refused:
        services.deal_lose(actor=li, deal_id=deal.pk, lost_reason_id=reason.pk, version=1)
    assert (refused.value.code, refused.value.status) == ("conflict", 409)
    deal.refresh_from_db()
    assert (deal.status, deal.version, deal.lost_reason_id) == ("open", 1, None)
    assert StageHistory.objects.filter(deal=deal).count() == 1
