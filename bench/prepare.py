"""Runs inside Dealbook's Django settings: picks the records each scenario requests and makes
API tokens for the two benchmark personas. Prints one JSON object on stdout.

A rep (li.rep) and a manager of 40 reps (zhang.manager) — the personas of `make bench`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import quote

import django
from django.db.models import Q

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealbook.config.settings")
django.setup()

from dealbook.customers.selectors import visible_accounts  # noqa: E402
from dealbook.org.models import User  # noqa: E402
from dealbook.org.services import api_token_create  # noqa: E402
from dealbook.org.visibility import viewer_for  # noqa: E402
from dealbook.pipeline.models import Deal, Pipeline, Stage  # noqa: E402
from dealbook.pipeline.selectors import visible_deals  # noqa: E402

OUT = Path(sys.argv[1])
OUT.mkdir(parents=True, exist_ok=True)
SAMPLE = 400
MOVE_LINES = 6_000  # more than a write run sends
MOVE_ROUNDS_MAX = 200
THREADS = int(os.environ.get("BENCH_THREADS", "2"))  # wrk threads (bench/run.py)
CONNECTIONS = 8  # wrk connections (bench/run.py)
BENCH_DEAL_NAME = "Bench deal 压测商机"  # bench/run.py removes earlier runs' deals by it


def write(name: str, lines: list[tuple[str, str, str]]) -> str:
    path = OUT / f"{name}.tsv"
    path.write_text("".join(f"{m}\t{p}\t{b}\n" for m, p, b in lines), encoding="utf-8")
    return str(path)


def fragments(names: list[str]) -> list[str]:
    """Name fragments people type: two or three Chinese characters, four Latin letters."""
    out = []
    for name in names:
        if any("\u4e00" <= ch <= "\u9fff" for ch in name):
            out.append(name[2:4] if len(name) > 4 else name[:2])
        else:
            word = name.split()[0]
            out.append(word[:4].lower())
    return out


rep = User.objects.get(username="li.rep")
manager = User.objects.get(username="zhang.manager")
tokens = {
    "rep": api_token_create(actor=rep, name="bench")[1],
    "manager": api_token_create(actor=manager, name="bench")[1],
}
pipeline = Pipeline.objects.get(org_id=rep.org_id, is_default=True)
stages = list(Stage.objects.filter(pipeline=pipeline).order_by("order"))
open_stages = [s for s in stages if s.kind == "open"]
team_owner_ids = sorted(viewer_for(manager).owner_ids)

rep_deals = list(visible_deals(actor=rep).order_by("-id").values_list("id", flat=True)[:SAMPLE])
manager_deals = list(
    visible_deals(actor=manager).order_by("-id").values_list("id", flat=True)[:SAMPLE]
)
rep_accounts = list(
    visible_accounts(actor=rep).order_by("-id").values_list("id", flat=True)[:SAMPLE]
)
manager_accounts = list(
    visible_accounts(actor=manager).order_by("-id").values_list("id", flat=True)[:SAMPLE]
)
names = list(
    visible_accounts(actor=manager).order_by("-id").values_list("name", flat=True)[:SAMPLE]
)
# New deals go to the rep's oldest accounts, not to those the account pages read: the deals
# a run creates must not grow the timelines the next run measures (at `small` the rep has
# too few accounts to keep them apart).
read_accounts = set(rep_accounts) | set(manager_accounts)
create_accounts = [
    a
    for a in visible_accounts(actor=rep).order_by("id").values_list("id", flat=True)[: SAMPLE * 3]
    if a not in read_accounts
][:SAMPLE] or rep_accounts


# Open deals that can go to the first open stage and back to their own (or, from the first, to
# the second and back): their current stage's requirements hold, so the way back is allowed.
def meets(stage: Stage) -> Q:
    match = Q(stage=stage)
    for field in stage.required_fields:
        if field == "contacts":
            match &= Q(contacts__isnull=False)
        elif field == "competitors":
            match &= Q(competitors__isnull=False)
        elif field == "line_items":
            match &= Q(line_items__isnull=False)
        elif field == "amount":
            match &= Q(amount_minor__gt=0)
        elif field == "next_step":
            match &= ~Q(next_step="")
        else:
            match &= Q(**{f"{field}__isnull": False})
    return match


first, second = open_stages[0], open_stages[1]
can_move = (
    (meets(first) & Q(expected_close_date__isnull=False))
    if "expected_close_date" in (second.required_fields)
    else meets(first)
)
for stage in open_stages[1:]:
    can_move |= meets(stage)
movable = list(
    visible_deals(actor=manager)
    .filter(can_move)
    .order_by("id")
    .values_list("id", "version", "stage_id")
    .distinct()[:30_000]
)
# wrk's threads stride through the lines (thread t sends lines t, t + T, …): with a multiple
# of T deals, every line of one deal goes to the same thread, in order, a round apart.
# The last deal is kept apart: its first move ends the file, and `make bench` sends it alone
# to count a move's queries (the load stops long before the end of the file).
sample = movable.pop() if movable else None
movable = movable[: len(movable) - len(movable) % THREADS]


def other_stage(stage_id: int, round_: int) -> int:
    """Where a deal starting in `stage_id` goes in round `round_`: away, then back."""
    away = second.pk if stage_id == first.pk else first.pk
    return away if round_ % 2 == 0 else stage_id


def stocked(owner_ids: list[int]) -> list[tuple[int, int]]:
    """(owner, open stage) pairs with at least one deal: a page with rows costs the same
    queries at every scale (an empty one skips reading the rows' contacts)."""
    return list(
        Deal.objects.filter(org_id=rep.org_id, owner_id__in=owner_ids, stage__in=open_stages)
        .values_list("owner_id", "stage_id")
        .distinct()
        .order_by("owner_id", "stage__order")
    )


get = "GET"
scenarios = {
    "deal_list": [
        (get, f"/api/v1/deals?limit=25&stage_id={s}&owner_id={o}&sort=-amount", "")
        for o, s in stocked([rep.pk])
    ],
    "deal_list_manager": [
        (get, f"/api/v1/deals?limit=25&stage_id={s}&owner_id={o}&sort=-amount", "")
        for o, s in stocked(team_owner_ids)
    ],
    "deal_detail": [(get, f"/api/v1/deals/{d}", "") for d in rep_deals],
    "board": [(get, f"/api/v1/pipelines/{pipeline.pk}/board", "")],
    "board_manager": [(get, f"/api/v1/pipelines/{pipeline.pk}/board", "")],
    "account_page": [(get, f"/api/v1/activities/timeline/account/{a}", "") for a in rep_accounts],
    "account_page_manager": [
        (get, f"/api/v1/activities/timeline/account/{a}", "") for a in manager_accounts
    ],
    "search": [(get, f"/api/v1/search?q={quote(q)}", "") for q in fragments(names)],
    "home_manager": [(get, "/api/v1/home", "")],
    "create_deal": [
        ("POST", "/api/v1/deals", json.dumps({"account_id": a, "name": BENCH_DEAL_NAME}))
        for a in create_accounts
    ],
    # Each deal goes to the second stage and back, round after round, each move carrying
    # the version the one before it produced: enough lines that none is ever sent twice.
    # wrk can drop the first request of a connection it opens: a dropped move would leave
    # every later round of that deal one version behind. So the first line of each
    # connection (8, a multiple of the threads) asks /healthz.
    "move_stage": [("GET", "/healthz", "")] * CONNECTIONS
    + [
        (
            "POST",
            f"/api/v1/deals/{d}/move",
            json.dumps({"stage_id": other_stage(at, r), "version": v + r}),
        )
        for r in range(max(1, min(MOVE_ROUNDS_MAX, -(-MOVE_LINES // max(len(movable), 1)))))
        for d, v, at in movable
    ]
    + [
        (
            "POST",
            f"/api/v1/deals/{d}/move",
            json.dumps({"stage_id": other_stage(at, 0), "version": v}),
        )
        for d, v, at in ([sample] if sample else [])
    ],
}
personas = {
    name: ("manager" if "manager" in name or name in {"search", "move_stage"} else "rep")
    for name in scenarios
}
print(
    json.dumps(
        {
            "tokens": tokens,
            "scenarios": {
                name: {"file": write(name, lines), "count": len(lines), "persona": personas[name]}
                for name, lines in scenarios.items()
            },
            "manager_team_size": len(team_owner_ids) - 1,
        }
    )
)
