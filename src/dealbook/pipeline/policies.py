"""Who may change deals and configure pipelines (reading is the visibility contract's job)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dealbook.core.errors import PermissionDenied
from dealbook.org.enums import Role
from dealbook.org.models import User
from dealbook.org.policies import Access, Entity, can_delete, can_write, read_access

PIPELINE_ADMIN_ROLES = frozenset({Role.ADMIN})
CATALOG_ADMIN_ROLES = frozenset({Role.ADMIN, Role.EXECUTIVE})


def can_read_deals(actor: User) -> bool:
    return read_access(actor.role, Entity.DEAL) is not Access.NONE


def check_can_create_deal(actor: User) -> None:
    if not can_write(actor.role, Entity.DEAL):
        raise PermissionDenied(_("Your role cannot create deals."))


def check_can_change_deal(actor: User) -> None:
    if not can_write(actor.role, Entity.DEAL):
        raise PermissionDenied(_("Your role cannot change deals."))


def check_can_delete_deal(actor: User) -> None:
    if not can_delete(actor.role, Entity.DEAL):
        raise PermissionDenied(_("Your role cannot delete deals."))


def check_can_configure_pipelines(actor: User) -> None:
    """Pipelines and stages shape everyone's work: only admins change them."""
    if actor.role not in PIPELINE_ADMIN_ROLES:
        raise PermissionDenied(_("Only admins configure pipelines and stages."))


def check_can_configure_catalog(actor: User) -> None:
    """Products, competitors and lost reasons: admins and executives."""
    if actor.role not in CATALOG_ADMIN_ROLES:
        raise PermissionDenied(
            _("Only admins and executives configure products, competitors and lost reasons.")
        )
