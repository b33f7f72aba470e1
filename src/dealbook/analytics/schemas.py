from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import model_validator

from dealbook.core.api import OutModel


class HomeParams(Schema):
    idle_days: int = Field(
        30, ge=1, le=3650, description="A customer is idle after this many days without activity."
    )


def _with_capped_count(obj: Any) -> Any:
    """A summary whose `count` is a CappedCount, as the flat count and count_is_exact."""
    if isinstance(obj, dict):
        return obj
    values = {name: getattr(obj, name) for name in obj.__dataclass_fields__}
    values["count"], values["count_is_exact"] = obj.count.count, obj.count.is_exact
    return values


class MoneyTotalOut(OutModel):
    currency: str
    count: int
    amount: Decimal


class AgendaItemOut(OutModel):
    id: int
    kind: str
    subject: str
    due_at: dt.datetime | None
    regarding: str = Field(..., description="The deal, account or lead the task is about.")

    @model_validator(mode="before")
    @classmethod
    def _from_activity(cls, obj: Any) -> Any:
        if isinstance(obj, dict):
            return obj
        parent = next((p for p in (obj.deal, obj.account, obj.lead) if p is not None), None)
        return {
            "id": obj.pk,
            "kind": obj.kind,
            "subject": obj.subject,
            "due_at": obj.due_at,
            "regarding": parent.name if parent is not None else "",
        }


class AgendaOut(OutModel):
    overdue_count: int
    due_today_count: int
    items: list[AgendaItemOut] = Field(..., description="The first ten, overdue first.")


class DealItemOut(OutModel):
    id: int
    name: str
    account_name: str
    owner_name: str
    stage_name: str
    amount: Decimal
    currency: str
    expected_close_date: dt.date | None

    @model_validator(mode="before")
    @classmethod
    def _from_deal(cls, obj: Any) -> Any:
        if isinstance(obj, dict):
            return obj
        return {
            "id": obj.pk,
            "name": obj.name,
            "account_name": obj.account.name,
            "owner_name": str(obj.owner),
            "stage_name": obj.stage.name,
            "amount": obj.amount,
            "currency": obj.currency,
            "expected_close_date": obj.expected_close_date,
        }


class ClosingOut(OutModel):
    count: int
    totals: list[MoneyTotalOut] = Field(..., description="One entry per currency.")
    items: list[DealItemOut] = Field(..., description="The first ten, soonest first.")


class IdleAccountOut(OutModel):
    id: int
    name: str
    last_activity_at: dt.datetime | None


class IdleOut(OutModel):
    idle_days: int
    since: dt.datetime = Field(..., description="No activity since this instant (or never).")
    count: int = Field(..., description="Capped at 1000 unless count_is_exact.")
    count_is_exact: bool
    items: list[IdleAccountOut] = Field(
        ..., description="The first ten: never touched first, then the longest idle."
    )

    @model_validator(mode="before")
    @classmethod
    def _capped(cls, obj: Any) -> Any:
        return _with_capped_count(obj)


class StageTotalOut(OutModel):
    pipeline_id: int
    pipeline_name: str
    stage_id: int
    stage_name: str
    count: int
    totals: list[MoneyTotalOut]


class OwnerTotalOut(OutModel):
    owner_id: int
    owner_name: str
    count: int
    totals: list[MoneyTotalOut]


class OwnerTotalsOut(OutModel):
    owners: list[OwnerTotalOut] = Field(..., description="Most deals first, at most 100.")
    has_more: bool


class KindCountOut(OutModel):
    kind: str
    count: int


class OwnerActivityOut(OutModel):
    owner_id: int
    owner_name: str
    total: int
    by_kind: list[KindCountOut]


class WeekActivityOut(OutModel):
    start: dt.date = Field(..., description="Monday.")
    end: dt.date = Field(..., description="Sunday.")
    owners: list[OwnerActivityOut] = Field(..., description="Busiest first, at most 100.")
    has_more: bool


class SlippedOut(OutModel):
    count: int = Field(..., description="Capped at 1000 unless count_is_exact.")
    count_is_exact: bool
    items: list[DealItemOut] = Field(..., description="The first ten, longest overdue first.")

    @model_validator(mode="before")
    @classmethod
    def _capped(cls, obj: Any) -> Any:
        return _with_capped_count(obj)


class TeamTotalOut(OutModel):
    team_id: int | None = Field(..., description="Null: owners who are in no team.")
    team_name: str
    open_count: int
    open_totals: list[MoneyTotalOut]
    activities_this_week: int


class TeamSummaryOut(OutModel):
    pipeline_by_stage: list[StageTotalOut] = Field(
        ..., description="Open deals per stage, in pipeline and stage order."
    )
    pipeline_by_owner: OwnerTotalsOut = Field(..., description="Open deals per owner.")
    activities_this_week: WeekActivityOut = Field(
        ..., description="Activities completed this week, per owner and kind."
    )
    slipped: SlippedOut = Field(..., description="Open deals whose expected close date has passed.")
    by_team: list[TeamTotalOut] = Field(
        ...,
        description=(
            "Open deals and this week's activities per team (the owner's own team), biggest "
            "pipeline first; empty unless the owners seen belong to several teams."
        ),
    )


class HomeOut(OutModel):
    today: dt.date = Field(..., description="Today in the organisation's time zone.")
    time_zone: str
    month_start: dt.date
    month_end: dt.date
    agenda: AgendaOut = Field(..., description="My open tasks due today and overdue.")
    closing_this_month: ClosingOut = Field(
        ..., description="My open deals expected to close this month."
    )
    idle_customers: IdleOut = Field(
        ..., description="My accounts with no activity for idle_days days, or never."
    )
    team: TeamSummaryOut | None = Field(
        ...,
        description=(
            "For users who see other owners' deals or activities (managers, directors, "
            "admins, finance): the team they see. Null for everyone else."
        ),
    )


# --- the answer, built straight from the summary ---------------------------------------------
#
# The manager's home is the API's biggest answer (a few hundred sums and counts): validating
# it through the models above cost more than reading it. `home_answer` builds the same
# document directly from the summary, whose values already have the models' types; the
# models stay its schema (OpenAPI, schemathesis), and a test holds the two equal for every
# persona: home_answer(s) == HomeOut.model_validate(s).model_dump().


def _totals_answer(totals: list) -> list[dict[str, Any]]:
    return [{"currency": t.currency, "count": t.count, "amount": t.amount} for t in totals]


def _deal_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": item["id"],
            "name": item["name"],
            "account_name": item["account_name"],
            "owner_name": item["owner_name"],
            "stage_name": item["stage_name"],
            "amount": item["amount"],
            "currency": item["currency"],
            "expected_close_date": item["expected_close_date"],
        }
        for item in items
    ]


def _team_answer(team: Any) -> dict[str, Any]:
    week = team.activities_this_week
    return {
        "pipeline_by_stage": [
            {
                "pipeline_id": stage.pipeline_id,
                "pipeline_name": stage.pipeline_name,
                "stage_id": stage.stage_id,
                "stage_name": stage.stage_name,
                "count": stage.count,
                "totals": _totals_answer(stage.totals),
            }
            for stage in team.pipeline_by_stage
        ],
        "pipeline_by_owner": {
            "owners": [
                {
                    "owner_id": owner.owner_id,
                    "owner_name": owner.owner_name,
                    "count": owner.count,
                    "totals": _totals_answer(owner.totals),
                }
                for owner in team.pipeline_by_owner.owners
            ],
            "has_more": team.pipeline_by_owner.has_more,
        },
        "activities_this_week": {
            "start": week.start,
            "end": week.end,
            "owners": [
                {
                    "owner_id": owner.owner_id,
                    "owner_name": owner.owner_name,
                    "total": owner.total,
                    "by_kind": owner.by_kind,
                }
                for owner in week.owners
            ],
            "has_more": week.has_more,
        },
        "slipped": {
            "count": team.slipped.count.count,
            "count_is_exact": team.slipped.count.is_exact,
            "items": _deal_items(team.slipped.items),
        },
        "by_team": [
            {
                "team_id": row.team_id,
                "team_name": row.team_name,
                "open_count": row.open_count,
                "open_totals": _totals_answer(row.open_totals),
                "activities_this_week": row.activities_this_week,
            }
            for row in team.by_team
        ],
    }


def home_answer(summary: Any) -> dict[str, Any]:
    """HomeOut's document for `summary` (an analytics.selectors.HomeSummary)."""
    agenda, closing, idle = summary.agenda, summary.closing_this_month, summary.idle_customers
    return {
        "today": summary.today,
        "time_zone": summary.time_zone,
        "month_start": summary.month_start,
        "month_end": summary.month_end,
        "agenda": {
            "overdue_count": agenda.overdue_count,
            "due_today_count": agenda.due_today_count,
            "items": [
                {
                    "id": item["id"],
                    "kind": item["kind"],
                    "subject": item["subject"],
                    "due_at": item["due_at"],
                    "regarding": item["regarding"],
                }
                for item in agenda.items
            ],
        },
        "closing_this_month": {
            "count": closing.count,
            "totals": _totals_answer(closing.totals),
            "items": _deal_items(closing.items),
        },
        "idle_customers": {
            "idle_days": idle.idle_days,
            "since": idle.since,
            "count": idle.count.count,
            "count_is_exact": idle.count.is_exact,
            "items": [
                {
                    "id": item["id"],
                    "name": item["name"],
                    "last_activity_at": item["last_activity_at"],
                }
                for item in idle.items
            ],
        },
        "team": None if summary.team is None else _team_answer(summary.team),
    }
