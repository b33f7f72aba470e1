"""`dealbook generate --scale …`: the demo organisation at benchmark size, in one transaction.

The people, teams and catalog go through the org services and the ORM, as in the demo.
The big tables are planned here (who owns which account, how many deals and activities
each gets, every company's name and every parent's id), made by forked generator
processes into scratch files (workers.py), and moved into the database through the bulk
path (writer.py). Rows carry the derived fields the services keep: normalised names,
phones and emails, money in minor units, status from the stage, stage durations, last
activity. Deterministic from the seed for a given `now`. The database must be migrated
(`dealbook migrate`) and empty.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealbook.activities.models import Activity
from dealbook.customers.models import Account, Contact
from dealbook.demo.build import DemoRefused, database_is_empty
from dealbook.demo.scale.activities import ActivityMaker
from dealbook.demo.scale.catalog import CatalogRefs, create_catalog_refs
from dealbook.demo.scale.clock import ScaleClock
from dealbook.demo.scale.leads import LeadMaker
from dealbook.demo.scale.naming import Namer
from dealbook.demo.scale.people import create_sales_org
from dealbook.demo.scale.plan import (
    LeadPlan,
    allocate_activities,
    name_companies,
    number_records,
    plan_accounts,
    plan_leads,
    split,
)
from dealbook.demo.scale.presets import Preset
from dealbook.demo.scale.workers import Context, run
from dealbook.demo.scale.writer import Loader, ScratchWriter, Table, create_scratch
from dealbook.leads.models import Lead
from dealbook.org.models import Organization
from dealbook.pipeline.models import Deal, DealLineItem, StageHistory
from dealbook.search.index import reindex

DEFAULT_SEED = 20261127
ACCOUNTS_PER_PROCESS = 5_000  # below this, one generator process does it all
MAX_PROCESSES = 4
# For the load only: no fsync, foreign keys checked once at the end, and a rollback
# journal, which need not copy the pages of a fresh database (a WAL would hold the whole
# load a second time).
SQLITE_LOAD_PRAGMAS = (
    "PRAGMA foreign_keys=OFF",
    "PRAGMA journal_mode=MEMORY",
    "PRAGMA synchronous=OFF",
    "PRAGMA cache_size=-524288",  # 512 MiB: index builds sort in memory
    "PRAGMA threads=2",  # index builds sort in two threads
)
SQLITE_RESTORE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
POSTGRESQL_LOAD_SETTINGS = (
    "SET LOCAL maintenance_work_mem = '512MB'",
    "SET LOCAL synchronous_commit = off",
)
Report = Callable[[str], None]


class ScaleRefused(DemoRefused):
    """The database is not migrated, or already holds data."""


@dataclass(frozen=True)
class ScaleSummary:
    preset: str
    rows: dict[str, int]  # table → rows written
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def tables() -> list[Table]:
    """The bulk tables, parents before children, with the columns the generator fills."""
    return [
        Table("account", Account, (
            "id", "org_id", "version", "created_at", "updated_at", "owner_id", "name",
            "name_normalized", "industry", "region", "size", "source", "lifecycle_stage",
            "phone", "phone_normalized", "website", "address", "description",
            "last_activity_at", "claimed_at", "released_at",
        ), keyed=True),
        Table("contact", Contact, (
            "id", "org_id", "version", "created_at", "updated_at", "account_id", "name",
            "name_normalized", "title", "phone", "phone_normalized", "email",
            "email_normalized", "wechat", "is_primary", "notes",
        ), keyed=True),
        Table("deal", Deal, (
            "id", "org_id", "version", "created_at", "updated_at", "owner_id", "account_id",
            "pipeline_id", "stage_id", "name", "amount_minor", "currency",
            "expected_close_date", "probability", "status", "source", "next_step",
            "description", "lost_reason_id", "lost_note", "stage_entered_at", "closed_at",
        ), keyed=True),
        Table("history", StageHistory, (
            "id", "org_id", "version", "created_at", "updated_at", "deal_id", "stage_id",
            "from_stage_id", "changed_by_id", "entered_at", "left_at", "duration_seconds",
        )),
        Table("line", DealLineItem, (
            "id", "org_id", "version", "created_at", "updated_at", "deal_id", "product_id",
            "name", "quantity", "unit_price_minor", "discount_percent", "amount_minor",
        )),
        Table("deal_contacts", Deal.contacts.through, ("id", "deal_id", "contact_id")),
        Table("competitors", Deal.competitors.through, ("id", "deal_id", "competitor_id")),
        Table("account_tags", Account.tags.through, ("id", "account_id", "tag_id")),
        Table("lead", Lead, (
            "id", "org_id", "version", "created_at", "updated_at", "owner_id", "name",
            "company", "title", "phone", "phone_normalized", "email", "email_normalized",
            "source", "region", "industry", "status", "description", "unqualified_reason",
            "assigned_by_rule_id", "converted_at", "converted_account_id",
            "converted_contact_id", "converted_deal_id", "last_activity_at", "claimed_at",
            "released_at",
        ), keyed=True),
        Table("activity", Activity, (
            "id", "org_id", "version", "created_at", "updated_at", "owner_id", "kind",
            "subject", "body", "outcome", "location", "duration_minutes", "occurred_at",
            "due_at", "remind_at", "reminded_at", "completed_at", "account_id", "contact_id",
            "deal_id", "lead_id",
        )),
    ]  # fmt: skip


def build_scale(
    *,
    preset: Preset,
    seed: int = DEFAULT_SEED,
    now: dt.datetime | None = None,
    report: Report | None = None,
    processes: int | None = None,
) -> ScaleSummary:
    """Generate `preset` into the (migrated, empty) database; `report` receives progress.
    `processes` generator processes (by default: one per CPU for big presets)."""
    say: Report = report or (lambda _line: None)
    started = time.monotonic()
    _refuse_unless_ready()
    count = processes or _processes(preset)
    folder = Path(tempfile.mkdtemp(prefix="dealbook-generate-"))
    scratches = [folder / f"part-{index}.sqlite3" for index in range(count + 1)]  # + leads
    for scratch in scratches:
        create_scratch(scratch, tables())
    try:
        with _no_garbage_collection(), _load_session(scratches) as attached, transaction.atomic():
            loader = _generate(
                preset=preset,
                seed=seed,
                now=now or timezone.now(),
                scratches=scratches,
                attached=attached,
                say=say,
                started=started,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # After the load's transaction: PostgreSQL's VACUUM cannot run inside one.
    say(_("analyze: %(seconds).1f s") % {"seconds": loader.analyze()})
    summary = ScaleSummary(
        preset=preset.name,
        rows={table.name: table.written for table in loader.tables},
        seconds=time.monotonic() - started,
    )
    say(
        _("total: %(rows)s rows in %(seconds).1f s. Sign in as li.rep or zhang.manager.")
        % {"rows": f"{summary.total_rows:,}", "seconds": summary.seconds}
    )
    return summary


def _generate(
    *,
    preset: Preset,
    seed: int,
    now: dt.datetime,
    scratches: list[Path],
    attached: list[str] | None,
    say: Report,
    started: float,
) -> Loader:
    """Everything inside the one transaction: org, plan, generation, move, indexes."""
    _refuse_unless_ready()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in POSTGRESQL_LOAD_SETTINGS:
                cursor.execute(statement)
    sales_org = create_sales_org(rng=_rng(seed, "people"), preset=preset)
    catalog = create_catalog_refs(sales_org)
    clock = ScaleClock(
        now=now,
        zone=sales_org.org.time_zone,
        years=preset.years,
        sqlite=connection.vendor == "sqlite",
    )
    say(
        _("org: %(people)s people in %(teams)s teams (%(seconds).1f s)")
        % {
            "people": len(sales_org.users),
            "teams": len(sales_org.teams),
            "seconds": time.monotonic() - started,
        }
    )
    loader = Loader(connection, tables(), clock.text)
    first_ids = loader.prepare()
    accounts = plan_accounts(
        rng=_rng(seed, "accounts"), sales_org=sales_org, preset=preset, clock=clock
    )
    leads = plan_leads(
        rng=_rng(seed, "leads"), sales_org=sales_org, preset=preset, clock=clock, accounts=accounts
    )
    allocate_activities(
        rng=_rng(seed, "activities"), accounts=accounts, leads=leads, total=preset.activities
    )
    accounts.sort(key=lambda plan: plan.created)  # ids follow the order accounts arrived
    namer = Namer()
    name_companies(rng=_rng(seed, "names"), namer=namer, accounts=accounts, leads=leads)
    number_records(accounts=accounts, leads=leads, first_ids=first_ids)
    say(_("plan: done (%(seconds).1f s)") % {"seconds": time.monotonic() - started})
    context = Context(
        seed=seed,
        clock=clock,
        sales_org=sales_org,
        catalog=catalog,
        full_line_items=preset.full_line_items,
        tables=tables,
    )
    runs = split(accounts, len(scratches) - 1)
    planned = preset.accounts * 3 + preset.contacts + preset.deals * 6 + preset.activities

    def make_open_leads() -> None:
        _make_open_leads(
            seed=seed,
            clock=clock,
            catalog=catalog,
            namer=namer,
            leads=leads,
            org_id=sales_org.org.pk,
            scratch=scratches[-1],
        )

    def progress(rows: int, seconds: float) -> None:
        say(
            _(
                "generate: about %(share)s %% of the rows made by %(processes)s processes "
                "(%(seconds).0f s)"
            )
            % {
                "share": min(99, round(100 * rows / planned)),
                "processes": len(runs),
                "seconds": time.monotonic() - started,
            }
        )

    run(context=context, runs=runs, scratches=scratches, meanwhile=make_open_leads, report=progress)
    say(_("generate: done (%(seconds).1f s)") % {"seconds": time.monotonic() - started})
    for table in loader.tables:
        for index, scratch in enumerate(scratches):
            loader.move(table, scratch, attached[index] if attached else None)
        say(
            _("table %(table)s: %(rows)s rows, moved in %(seconds).1f s (%(rate)s rows/s)")
            % {
                "table": table.name,
                "rows": f"{table.written:,}",
                "seconds": table.seconds,
                "rate": f"{table.written / table.seconds:,.0f}" if table.seconds else "-",
            }
        )
    rebuilt = loader.finish()
    say(
        _("indexes: %(indexes)s indexes and %(keys)s foreign keys rebuilt in %(seconds).1f s")
        % {"indexes": rebuilt.indexes, "keys": rebuilt.foreign_keys, "seconds": rebuilt.seconds}
    )
    searched = reindex(org_id=sales_org.org.pk)  # the bulk path sends no signals
    say(
        _("search index: %(entries)s entries in %(seconds).1f s")
        % {"entries": f"{searched.entries:,}", "seconds": searched.seconds}
    )
    return loader


def _make_open_leads(
    *,
    seed: int,
    clock: ScaleClock,
    catalog: CatalogRefs,
    namer: Namer,
    leads: list[LeadPlan],
    org_id: int,
    scratch: Path,
) -> None:
    """The leads that are not accounts (yet), with their calls and emails."""
    writer = ScratchWriter(scratch, tables())
    rng = _rng(seed, "open leads")
    activity_maker = ActivityMaker(rng=rng, clock=clock, table=writer["activity"], org_id=org_id)
    maker = LeadMaker(
        rng=rng,
        clock=clock,
        catalog=catalog,
        table=writer["lead"],
        namer=namer,
        activity_maker=activity_maker,
        org_id=org_id,
    )
    for lead in leads:
        maker.make(lead)
    writer.close()


def _processes(preset: Preset) -> int:
    wanted = math.ceil(preset.accounts / ACCOUNTS_PER_PROCESS)
    return max(1, min(wanted, os.cpu_count() or 1, MAX_PROCESSES))


def _rng(seed: int, part: str) -> random.Random:
    """One generator per part, so changing how leads are made leaves the accounts alone."""
    return random.Random(f"{seed}:scale:{part}")


def _refuse_unless_ready() -> None:
    if Organization._meta.db_table not in connection.introspection.table_names():
        raise ScaleRefused(_("The database has no tables yet: run `dealbook migrate` first."))
    if not database_is_empty():
        raise ScaleRefused(
            _(
                "The database already holds an organisation or users. The generator loads "
                "only into an empty, migrated database; point SQLITE_PATH or DATABASE_URL at "
                "a fresh one."
            )
        )


@contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """Millions of rows are made and kept a while, none in a reference cycle: the cyclic
    collector would only walk them over and over (the processes forked inherit this)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _load_session(scratches: list[Path]) -> Iterator[list[str] | None]:
    """When this is SQLite and we own the connection (not inside a transaction someone else
    opened, as in the tests): settings for the load, and the scratch files attached so their
    rows move with one INSERT … SELECT each. Yields the attached schemas' names."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield None
        return
    names = [f"scratch{index}" for index in range(len(scratches))]
    with connection.cursor() as cursor:
        for pragma in SQLITE_LOAD_PRAGMAS:
            cursor.execute(pragma)
        for name, scratch in zip(names, scratches, strict=True):
            cursor.execute(f"ATTACH DATABASE %s AS {name}", [str(scratch)])
    # BEGIN IMMEDIATE would lock the attached files too, and the generator processes could
    # not write them; a deferred transaction takes each lock when it first needs it.
    sqlite: Any = connection  # the SQLite wrapper's own setting
    mode, sqlite.transaction_mode = sqlite.transaction_mode, "DEFERRED"
    try:
        yield names
    finally:
        sqlite.transaction_mode = mode
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"DETACH DATABASE {name}")
            for pragma in SQLITE_RESTORE_PRAGMAS:
                cursor.execute(pragma)
