"""Who may see and change what, by role. One table per question, one condition per line.

Read access is ALL (the whole organisation), SCOPED (owner, managers above the owner,
explicit shares) or NONE. Write access is checked on records the actor can already see.
"""

from __future__ import annotations

from enum import StrEnum

from dealbook.org.enums import Role


class Access(StrEnum):
    NONE = "none"
    SCOPED = "scoped"
    ALL = "all"


class Entity(StrEnum):
    ACCOUNT = "account"
    CONTACT = "contact"
    LEAD = "lead"
    DEAL = "deal"
    ACTIVITY = "activity"


A, C, L, D, T = Entity.ACCOUNT, Entity.CONTACT, Entity.LEAD, Entity.DEAL, Entity.ACTIVITY
_ALL = Access.ALL
_SCOPED = Access.SCOPED

READ: dict[Role, dict[Entity, Access]] = {
    Role.ADMIN: {A: _ALL, C: _ALL, L: _ALL, D: _ALL, T: _ALL},
    Role.EXECUTIVE: {A: _ALL, C: _ALL, L: _ALL, D: _ALL, T: _ALL},
    Role.SALES_MANAGER: {A: _SCOPED, C: _SCOPED, L: _SCOPED, D: _SCOPED, T: _SCOPED},
    Role.SALES_REP: {A: _SCOPED, C: _SCOPED, L: _SCOPED, D: _SCOPED, T: _SCOPED},
    # Finance reads the deals commissions are computed from, and their customers; read-only.
    Role.FINANCE: {A: _ALL, C: _ALL, D: _ALL},
    # Service serves every customer and sees their history, but not the pipeline.
    Role.CUSTOMER_SERVICE: {A: _ALL, C: _ALL, T: _SCOPED},
    # Marketing owns the top of the funnel.
    Role.MARKETING: {L: _ALL},
    Role.PRODUCT: {},
}

# Entities a role may create and update (on records it can see).
WRITE: dict[Role, frozenset[Entity]] = {
    Role.ADMIN: frozenset(Entity),
    Role.EXECUTIVE: frozenset(Entity),
    Role.SALES_MANAGER: frozenset(Entity),
    Role.SALES_REP: frozenset(Entity),
    Role.FINANCE: frozenset(),
    Role.CUSTOMER_SERVICE: frozenset({T}),
    Role.MARKETING: frozenset({L}),
    Role.PRODUCT: frozenset(),
}

# Entities a role may delete (on records it can see; activities: also its own only).
DELETE: dict[Role, frozenset[Entity]] = {
    Role.ADMIN: frozenset(Entity),
    Role.EXECUTIVE: frozenset(Entity),
    Role.SALES_MANAGER: frozenset(Entity),
    Role.SALES_REP: frozenset({T}),
    Role.FINANCE: frozenset(),
    Role.CUSTOMER_SERVICE: frozenset({T}),
    Role.MARKETING: frozenset(),
    Role.PRODUCT: frozenset(),
}

MERGE_ROLES = frozenset({Role.ADMIN, Role.EXECUTIVE, Role.SALES_MANAGER})
POOL_ROLES = frozenset({Role.SALES_MANAGER, Role.SALES_REP})
ASSIGN_ANY_OWNER_ROLES = frozenset({Role.ADMIN, Role.EXECUTIVE})


def read_access(role: str, entity: Entity) -> Access:
    return READ.get(Role(role), {}).get(entity, Access.NONE)


def can_write(role: str, entity: Entity) -> bool:
    return entity in WRITE.get(Role(role), frozenset())


def can_delete(role: str, entity: Entity) -> bool:
    return entity in DELETE.get(Role(role), frozenset())


def can_merge(role: str) -> bool:
    return role in MERGE_ROLES


def can_use_pool(role: str) -> bool:
    return role in POOL_ROLES
