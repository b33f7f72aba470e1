"""Who may change accounts and contacts (reading is the visibility contract's job)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dealbook.core.errors import PermissionDenied
from dealbook.org.models import User
from dealbook.org.policies import Entity, can_delete, can_merge, can_use_pool, can_write


def check_can_create_account(actor: User) -> None:
    if not can_write(actor.role, Entity.ACCOUNT):
        raise PermissionDenied(_("Your role cannot create accounts."))


def check_can_change_account(actor: User) -> None:
    if not can_write(actor.role, Entity.ACCOUNT):
        raise PermissionDenied(_("Your role cannot change accounts."))


def check_can_delete_account(actor: User) -> None:
    if not can_delete(actor.role, Entity.ACCOUNT):
        raise PermissionDenied(_("Your role cannot delete accounts."))


def check_can_merge(actor: User) -> None:
    if not can_merge(actor.role):
        raise PermissionDenied(_("Only managers, executives and admins can merge accounts."))


def check_can_use_pool(actor: User) -> None:
    if not can_use_pool(actor.role):
        raise PermissionDenied(_("Only sales reps and managers claim from the pool."))


def check_can_change_contact(actor: User) -> None:
    if not can_write(actor.role, Entity.CONTACT):
        raise PermissionDenied(_("Your role cannot change contacts."))


def check_can_delete_contact(actor: User) -> None:
    if not can_delete(actor.role, Entity.CONTACT):
        raise PermissionDenied(_("Your role cannot delete contacts."))
