"""The generator processes: each makes a run of accounts into a scratch file of its own.

Processes are forked, so they start with the plan, the people and the catalog already in
memory, and never touch the parent's database connection. Each account's random numbers
come from the seed and the account's number alone, so how the accounts are split between
processes never changes what is generated.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path

from dealbook.demo.scale.accounts import AccountMaker
from dealbook.demo.scale.catalog import CatalogRefs
from dealbook.demo.scale.clock import ScaleClock
from dealbook.demo.scale.people import SalesOrg
from dealbook.demo.scale.plan import AccountPlan
from dealbook.demo.scale.writer import ScratchWriter, Table

CHUNK_ROWS = 50_000  # rows buffered (all tables together) before a flush
WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Context:
    """Everything a generator process needs, read-only."""

    seed: int
    clock: ScaleClock
    sales_org: SalesOrg
    catalog: CatalogRefs
    full_line_items: bool
    tables: Callable[[], list[Table]]


def account_seed(seed: int, number: int) -> str:
    return f"{seed}:scale:account:{number}"


def make_accounts(
    context: Context, accounts: list[AccountPlan], scratch: Path, done: Synchronized | None
) -> None:
    """Every row of `accounts` into `scratch` (a process's whole work, or the tests')."""
    writer = ScratchWriter(scratch, context.tables())
    rng = random.Random()
    maker = AccountMaker(
        rng=rng,
        clock=context.clock,
        sales_org=context.sales_org,
        catalog=context.catalog,
        writer=writer,
        full_line_items=context.full_line_items,
    )
    for plan in accounts:
        rng.seed(account_seed(context.seed, plan.number))
        maker.make(plan)
        if writer.buffered >= CHUNK_ROWS:
            writer.flush()
            if done is not None:
                with done.get_lock():
                    done.value += CHUNK_ROWS
    writer.close()


def run(
    *,
    context: Context,
    runs: list[list[AccountPlan]],
    scratches: list[Path],
    meanwhile: Callable[[], None],
    report: Callable[[int, float], None],
) -> None:
    """One process per run of accounts; `meanwhile` runs here as they work, `report` gets
    (rows made so far, seconds) every few seconds. Raises if a process failed."""
    fork = multiprocessing.get_context("fork")
    done = fork.Value("q", 0)
    processes = [
        fork.Process(
            target=make_accounts, args=(context, accounts, scratch, done), name=f"generate-{i}"
        )
        for i, (accounts, scratch) in enumerate(zip(runs, scratches, strict=False))
    ]
    started = time.monotonic()
    for process in processes:
        process.start()
    try:
        meanwhile()
        while any(process.is_alive() for process in processes):
            for process in processes:
                process.join(WAIT_SECONDS / len(processes))
            report(done.value, time.monotonic() - started)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
    failed = [p.name for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"Generator process(es) {failed} failed; see the error above.")
