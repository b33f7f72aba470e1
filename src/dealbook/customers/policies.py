"""Who may change accounts and contacts (reading is the visibility contract's job)."""

from __future__ import annotations

from dealbook.core.errors import PermissionDenied
from dealbook.org.models import User
from dealbook.org.policies import Entity, can_delete, can_merge, can_use_pool, can_write


def check_can_create_account(actor: User) -> None:
    if not can_write(actor.role, Entity.ACCOUNT):
        raise PermissionDenied("Your role cannot create accounts.")


def check_can_change_account(actor: User) -> None:
    if not can_write(actor.role, Entity.ACCOUNT):
        raise PermissionDenied("Your role cannot change accounts.")


def check_can_delete_account(actor: User) -> None:
    if not can_delete(actor.role, Entity.ACCOUNT):
        raise PermissionDenied("Your role cannot delete accounts.")


def check_can_merge(actor: User) -> None:
    if not can_merge(actor.role):
        raise PermissionDenied("Only managers, executives and admins can merge accounts.")


def check_can_use_pool(actor: User) -> None:
    if not can_use_pool(actor.role):
        raise PermissionDenied("Only sales reps and managers claim from the pool.")


def check_can_change_contact(actor: User) -> None:
    if not can_write(actor.role, Entity.CONTACT):
        raise PermissionDenied("Your role cannot change contacts.")


def check_can_delete_contact(actor: User) -> None:
    if not can_delete(actor.role, Entity.CONTACT):
        raise PermissionDenied("Your role cannot delete contacts.")
