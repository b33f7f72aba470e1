"""The access matrix, written from shared/design/DEMO.md ("Who sees what") — not from the code.

Each persona's expected reach: which owners' records it sees per entity, and which entities
it may change, delete or act on. The test compares every API answer against this table.
"""

from __future__ import annotations

REPS = ("li.rep", "wang.rep", "liu.rep", "zhou.rep")
POOL = "pool"
EVERYONE = frozenset(REPS)
ENTITIES = (
    "account",
    "contact",
    "deal",
    "lead",
    "activity_on_account",
    "activity_on_deal",
    "target",  # each rep's quarterly target (a draft), set by their manager
)

EAST = frozenset({"li.rep", "wang.rep"})
SOUTH = frozenset({"liu.rep"})
NOBODY: frozenset[str] = frozenset()


def _same(owners: frozenset[str]) -> dict[str, frozenset[str]]:
    return dict.fromkeys(ENTITIES, owners)


# persona → entity → owners (of the fixture records) whose records the persona sees in lists
# and by id. POOL stands for the unowned account / lead in the pool.
VISIBLE: dict[str, dict[str, frozenset[str]]] = {
    "li.rep": _same(frozenset({"li.rep"})),
    "liu.rep": _same(frozenset({"liu.rep"})),
    "zhang.manager": _same(EAST),
    "zhao.manager": _same(SOUTH),
    "chen.director": {
        **_same(EVERYONE),
        "account": EVERYONE | {POOL},
        "lead": EVERYONE | {POOL},
    },
    "admin": {**_same(EVERYONE), "account": EVERYONE | {POOL}, "lead": EVERYONE | {POOL}},
    # finance: the deals commissions come from, and their customers; no leads, no activities;
    # quotas (targets) of everyone, read-only
    "wu.finance": {
        **_same(NOBODY),
        "account": EVERYONE | {POOL},
        "contact": EVERYONE,
        "deal": EVERYONE,
        "target": EVERYONE,
    },
    # service: every customer and the customer's history, not the pipeline
    "zheng.service": {
        **_same(NOBODY),
        "account": EVERYONE | {POOL},
        "contact": EVERYONE,
        "activity_on_account": EVERYONE,
    },
    "feng.marketing": {**_same(NOBODY), "lead": EVERYONE | {POOL}},
    "he.product": _same(NOBODY),
    "acme.admin": _same(NOBODY),
}

SALES_WRITERS = frozenset(
    {"li.rep", "liu.rep", "zhang.manager", "zhao.manager", "chen.director", "admin"}
)
# persona → entities it may update (where it can see the record)
CAN_UPDATE: dict[str, frozenset[str]] = {
    **{p: frozenset(ENTITIES) for p in SALES_WRITERS},
    # reps read their targets; their managers set them
    "li.rep": frozenset(ENTITIES) - {"target"},
    "liu.rep": frozenset(ENTITIES) - {"target"},
    "wu.finance": NOBODY,
    "zheng.service": NOBODY,  # sees others' activities but only changes his own
    "feng.marketing": frozenset({"lead"}),
    "he.product": NOBODY,
    "acme.admin": frozenset(ENTITIES),  # never reaches Huaxin's records: 404 first
}
MANAGERS_AND_UP = frozenset(
    {"zhang.manager", "zhao.manager", "chen.director", "admin", "acme.admin"}
)
CAN_DELETE: dict[str, frozenset[str]] = {
    **{p: frozenset(ENTITIES) for p in MANAGERS_AND_UP},
    # reps delete only activities (their own: all activities they see in this fixture are theirs)
    "li.rep": frozenset({"activity_on_account", "activity_on_deal"}),
    "liu.rep": frozenset({"activity_on_account", "activity_on_deal"}),
    "wu.finance": NOBODY,
    "zheng.service": NOBODY,
    "feng.marketing": NOBODY,
    "he.product": NOBODY,
}
# Team targets (East's and South's): read by the team's manager and the org-wide readers;
# cascaded into the team's people by whoever sets targets for all of them.
TEAM_TARGETS = ("East", "South")
_BOTH_TEAMS = frozenset(TEAM_TARGETS)
TEAM_TARGETS_VISIBLE: dict[str, frozenset[str]] = {
    **dict.fromkeys(VISIBLE, NOBODY),
    "zhang.manager": frozenset({"East"}),
    "zhao.manager": frozenset({"South"}),
    "chen.director": _BOTH_TEAMS,
    "admin": _BOTH_TEAMS,
    "wu.finance": _BOTH_TEAMS,  # reads every quota, sets none
}
CAN_CASCADE: dict[str, frozenset[str]] = {
    **dict.fromkeys(VISIBLE, NOBODY),
    "zhang.manager": frozenset({"East"}),
    "zhao.manager": frozenset({"South"}),
    "chen.director": _BOTH_TEAMS,
    "admin": _BOTH_TEAMS,
}
MERGERS = MANAGERS_AND_UP
POOL_USERS = frozenset({"li.rep", "liu.rep", "zhang.manager", "zhao.manager"})
CONVERTERS = SALES_WRITERS | {"acme.admin"}

PERSONAS = tuple(VISIBLE)
