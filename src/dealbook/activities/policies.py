"""Who may log, change and delete activities (reading is the visibility contract's job)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dealbook.activities.models import Activity
from dealbook.core.errors import PermissionDenied
from dealbook.org.enums import Role
from dealbook.org.models import User
from dealbook.org.policies import Entity, can_delete, can_write
from dealbook.org.visibility import viewer_for


def check_can_log_activity(actor: User) -> None:
    if not can_write(actor.role, Entity.ACTIVITY):
        raise PermissionDenied(_("Your role cannot log activities."))


def is_owner_or_manager_above(actor: User, activity: Activity) -> bool:
    """The owner, or a manager of a team the owner sits in (the owner's subtree)."""
    return activity.owner_id in viewer_for(actor).owner_ids


def check_can_change_activity(actor: User, activity: Activity) -> None:
    """Owner, managers above the owner, and org-wide roles that may write activities."""
    if not can_write(actor.role, Entity.ACTIVITY):
        raise PermissionDenied(_("Your role cannot change activities."))
    if actor.is_org_wide:
        return
    if not is_owner_or_manager_above(actor, activity):
        raise PermissionDenied(_("Only the owner of the activity or their manager can change it."))


def check_can_delete_activity(actor: User, activity: Activity) -> None:
    """Reps and service delete only their own; managers within their teams; admin/exec all."""
    if not can_delete(actor.role, Entity.ACTIVITY):
        raise PermissionDenied(_("Your role cannot delete activities."))
    if actor.is_org_wide:
        return
    if actor.role == Role.SALES_MANAGER and is_owner_or_manager_above(actor, activity):
        return
    if activity.owner_id != actor.pk:
        raise PermissionDenied(_("You can only delete your own activities."))
