from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class HomeParams(Schema):
    idle_days: int = Field(
        30, ge=1, le=3650, description="A customer is idle after this many days without activity."
    )


class MoneyTotalOut(Schema):
    currency: str
    count: int
    amount: Decimal


class AgendaItemOut(Schema):
    id: int
    kind: str
    subject: str
    due_at: dt.datetime | None
    regarding: str = Field(..., description="The deal, account or lead the task is about.")

    @staticmethod
    def resolve_regarding(obj) -> str:
        for parent in (obj.deal, obj.account, obj.lead):
            if parent is not None:
                return parent.name
        return ""


class AgendaOut(Schema):
    overdue_count: int
    due_today_count: int
    items: list[AgendaItemOut] = Field(..., description="The first ten, overdue first.")


class DealItemOut(Schema):
    id: int
    name: str
    account_name: str
    owner_name: str
    stage_name: str
    amount: Decimal
    currency: str
    expected_close_date: dt.date | None

    @staticmethod
    def resolve_account_name(obj) -> str:
        return obj.account.name

    @staticmethod
    def resolve_owner_name(obj) -> str:
        return str(obj.owner)

    @staticmethod
    def resolve_stage_name(obj) -> str:
        return obj.stage.name


class ClosingOut(Schema):
    count: int
    totals: list[MoneyTotalOut] = Field(..., description="One entry per currency.")
    items: list[DealItemOut] = Field(..., description="The first ten, soonest first.")


class IdleAccountOut(Schema):
    id: int
    name: str
    last_activity_at: dt.datetime | None


class IdleOut(Schema):
    idle_days: int
    since: dt.datetime = Field(..., description="No activity since this instant (or never).")
    count: int = Field(..., description="Capped at 1000 unless count_is_exact.")
    count_is_exact: bool
    items: list[IdleAccountOut] = Field(
        ..., description="The first ten: never touched first, then the longest idle."
    )

    @staticmethod
    def resolve_count(obj) -> int:
        return obj.count.count

    @staticmethod
    def resolve_count_is_exact(obj) -> bool:
        return obj.count.is_exact


class StageTotalOut(Schema):
    pipeline_id: int
    pipeline_name: str
    stage_id: int
    stage_name: str
    count: int
    totals: list[MoneyTotalOut]


class OwnerTotalOut(Schema):
    owner_id: int
    owner_name: str
    count: int
    totals: list[MoneyTotalOut]


class OwnerTotalsOut(Schema):
    owners: list[OwnerTotalOut] = Field(..., description="Most deals first, at most 100.")
    has_more: bool


class KindCountOut(Schema):
    kind: str
    count: int


class OwnerActivityOut(Schema):
    owner_id: int
    owner_name: str
    total: int
    by_kind: list[KindCountOut]


class WeekActivityOut(Schema):
    start: dt.date = Field(..., description="Monday.")
    end: dt.date = Field(..., description="Sunday.")
    owners: list[OwnerActivityOut] = Field(..., description="Busiest first, at most 100.")
    has_more: bool


class SlippedOut(Schema):
    count: int = Field(..., description="Capped at 1000 unless count_is_exact.")
    count_is_exact: bool
    items: list[DealItemOut] = Field(..., description="The first ten, longest overdue first.")

    @staticmethod
    def resolve_count(obj) -> int:
        return obj.count.count

    @staticmethod
    def resolve_count_is_exact(obj) -> bool:
        return obj.count.is_exact


class TeamSummaryOut(Schema):
    pipeline_by_stage: list[StageTotalOut] = Field(
        ..., description="Open deals per stage, in pipeline and stage order."
    )
    pipeline_by_owner: OwnerTotalsOut = Field(..., description="Open deals per owner.")
    activities_this_week: WeekActivityOut = Field(
        ..., description="Activities completed this week, per owner and kind."
    )
    slipped: SlippedOut = Field(..., description="Open deals whose expected close date has passed.")


class HomeOut(Schema):
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
