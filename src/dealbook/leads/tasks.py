"""Scheduled work of the leads app: return idle leads and accounts to the pool."""

from __future__ import annotations

from django.tasks import task

from dealbook.leads import services


def reclaim_idle_records() -> dict[str, int]:
    """Run the reclaim now (the `dealbook pool-reclaim` command and the task both call this)."""
    result = services.reclaim_idle_records()
    return {"leads": result.leads, "accounts": result.accounts}


@task
def reclaim_idle_records_task() -> dict[str, int]:
    return reclaim_idle_records()
