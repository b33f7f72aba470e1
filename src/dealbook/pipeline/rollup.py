"""The deal roll-ups, kept by triggers on pipeline_deal (see core/rollup.py for the design).

- OpenDealTotal: open deals per (pipeline, stage, owner, currency) — the board's open
  columns and the team pipeline on the home page.
- ClosedDealMonthTotal: won and lost deals per (pipeline, stage, owner, currency, local
  month of closing) — the board's won and lost columns over whole months (a fiscal quarter)
  read a few rows per owner instead of every deal closed in the period.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from dealbook.core.rollup import RollUp, column, constant, local_month

_DEAL_KEY = tuple(
    (name, column(name)) for name in ("org_id", "pipeline_id", "stage_id", "owner_id", "currency")
)
_DEAL_SUMS = (
    ("deal_count", constant("1")),
    ("amount_sum", column("amount_minor")),
    ("weighted_sum", lambda row, vendor: f"{row}.amount_minor * {row}.probability"),
)
_DEAL_WATCHED = (*(name for name, _ in _DEAL_KEY), "amount_minor", "probability", "status")

OPEN_DEALS = RollUp(
    name="pipeline_open_totals",
    source="pipeline_deal",
    table="pipeline_opendealtotal",
    key=_DEAL_KEY,
    sums=_DEAL_SUMS,
    watched=_DEAL_WATCHED,
    applies=lambda row, vendor: f"{row}.status = 'open'",
)

CLOSED_DEAL_MONTHS = RollUp(
    name="pipeline_closed_months",
    source="pipeline_deal",
    table="pipeline_closeddealmonthtotal",
    key=(*_DEAL_KEY, ("month", local_month("closed_at"))),
    sums=_DEAL_SUMS,
    watched=(*_DEAL_WATCHED, "closed_at"),
    applies=lambda row, vendor: f"{row}.status <> 'open' AND {row}.closed_at IS NOT NULL",
)


def install(connection: BaseDatabaseWrapper) -> None:
    """(Re)create the open-deal triggers and recompute the totals: idempotent."""
    OPEN_DEALS.install(connection)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    OPEN_DEALS.uninstall(connection)
