"""Who may change leads and assignment rules (reading is the visibility contract's job)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dealbook.core.errors import PermissionDenied
from dealbook.org.enums import Role
from dealbook.org.models import User
from dealbook.org.policies import Entity, can_delete, can_use_pool, can_write

RULE_READ_ROLES = frozenset({Role.ADMIN, Role.EXECUTIVE, Role.SALES_MANAGER})
RULE_WRITE_ROLES = frozenset({Role.ADMIN})


def check_can_create_lead(actor: User) -> None:
    if not can_write(actor.role, Entity.LEAD):
        raise PermissionDenied(_("Your role cannot create leads."))


def check_can_change_lead(actor: User) -> None:
    if not can_write(actor.role, Entity.LEAD):
        raise PermissionDenied(_("Your role cannot change leads."))


def check_can_delete_lead(actor: User) -> None:
    if not can_delete(actor.role, Entity.LEAD):
        raise PermissionDenied(_("Your role cannot delete leads."))


def may_browse_pool(actor: User) -> bool:
    return actor.is_org_wide or can_use_pool(actor.role)


def check_can_use_pool(actor: User) -> None:
    if not can_use_pool(actor.role):
        raise PermissionDenied(_("Only sales reps and managers claim leads from the pool."))


def check_can_release(actor: User) -> None:
    if not (actor.is_org_wide or can_use_pool(actor.role)):
        raise PermissionDenied(
            _("Only sales reps, managers, executives and admins return leads to the pool.")
        )


def check_can_convert(actor: User, *, create_deal: bool) -> None:
    needed = [Entity.LEAD, Entity.ACCOUNT, Entity.CONTACT] + ([Entity.DEAL] if create_deal else [])
    if not all(can_write(actor.role, entity) for entity in needed):
        raise PermissionDenied(
            _("Your role cannot convert leads into accounts, contacts and deals.")
        )


def can_read_rules(actor: User) -> bool:
    return actor.role in RULE_READ_ROLES


def check_can_read_rules(actor: User) -> None:
    if not can_read_rules(actor):
        raise PermissionDenied(
            _("Only admins, executives and sales managers see assignment rules.")
        )


def check_can_manage_rules(actor: User) -> None:
    if actor.role not in RULE_WRITE_ROLES:
        raise PermissionDenied(_("Only an admin can change assignment rules."))
