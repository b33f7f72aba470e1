"""Who may see, set, approve and lock targets. One table per question, one condition per line.

Reading follows the sales hierarchy (DEMO.md: quotas are visible to the person, the
managers above them, the director, admin and finance): a rep sees their own targets, a
manager the targets of the people and teams of the subtree they manage (their own
included), org-wide roles and finance every target; service, marketing and product none
(an invisible target answers 404, a list is empty).

Setting: a manager drafts targets for people and teams of their subtree; the director and
admin for anyone and for the company. Approving and locking: the manager ABOVE the
target's subject — for a person, the manager of their team (or of the team above when the
person manages their own team); for a team, the manager of a team above it — and the
director and admin for everything, the company's targets included.

Planned leave (the days a person will not sell) is read like the person's targets
(`can_see_person`), and recorded or removed by whoever sets that person's targets — the
managers above them, the director and admin — but never by the person themself, unless they
are the director or an admin.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from dealbook.core.errors import PermissionDenied
from dealbook.org.enums import Role
from dealbook.org.models import Team, User, team_ids_on_path
from dealbook.org.policies import Access
from dealbook.org.visibility import viewer_for
from dealbook.targets.enums import ScopeKind
from dealbook.targets.models import Target

READ: dict[Role, Access] = {
    Role.ADMIN: Access.ALL,
    Role.EXECUTIVE: Access.ALL,
    Role.FINANCE: Access.ALL,  # read-only: quotas are what commissions are computed from
    Role.SALES_MANAGER: Access.SCOPED,
    Role.SALES_REP: Access.SCOPED,
    Role.CUSTOMER_SERVICE: Access.NONE,
    Role.MARKETING: Access.NONE,
    Role.PRODUCT: Access.NONE,
}
# Roles that set (draft) targets, within the reach below.
SETTERS = frozenset({Role.ADMIN, Role.EXECUTIVE, Role.SALES_MANAGER})
# Roles that set, approve and lock any target of the organisation, the company's included.
TOP = frozenset({Role.ADMIN, Role.EXECUTIVE})


def read_access(role: str) -> Access:
    return READ.get(Role(role), Access.NONE)


def visible_q(actor: User) -> Q:
    """The targets `actor` may read (always combined with the organisation filter)."""
    access = read_access(actor.role)
    if access is Access.ALL:
        return Q()
    if access is Access.NONE or not actor.org_id:
        return Q(pk__in=[])
    viewer = viewer_for(actor)
    return Q(scope=ScopeKind.PERSON, user_id__in=sorted(viewer.owner_ids)) | Q(
        scope=ScopeKind.TEAM, team_id__in=sorted(viewer.managed_team_ids)
    )


def can_see_person(actor: User, user_id: int) -> bool:
    """Whether `actor` may read the targets (and attainment history) of person `user_id`."""
    access = read_access(actor.role)
    if access is Access.SCOPED:
        return user_id in viewer_for(actor).owner_ids
    return access is Access.ALL


def can_see_team(actor: User, team_id: int) -> bool:
    access = read_access(actor.role)
    if access is Access.SCOPED:
        return team_id in viewer_for(actor).managed_team_ids
    return access is Access.ALL


def check_can_set(actor: User, *, scope: str, user_id: int | None, team_id: int | None) -> None:
    """May `actor` draft (and edit) a target of this subject?"""
    if actor.role not in SETTERS:
        raise PermissionDenied(_("Your role cannot set targets."))
    if actor.role in TOP:
        return
    if scope == ScopeKind.COMPANY:
        raise PermissionDenied(_("Only the director or an admin sets the company's targets."))
    viewer = viewer_for(actor)
    if scope == ScopeKind.PERSON and user_id in viewer.owner_ids:
        return
    if scope == ScopeKind.TEAM and team_id in viewer.managed_team_ids:
        return
    raise PermissionDenied(_("You can set targets only for the people and teams you manage."))


def _ancestor_ids(team: Team) -> list[int]:
    """The ids of `team` and the teams above it, nearest first (from the materialised path)."""
    return list(reversed(team_ids_on_path(team.path))) or [team.pk]


def manager_above(target: Target) -> int | None:
    """The user who approves `target`: the nearest manager above its subject (None for the
    company, or when nobody manages the teams above: then only the director or admin)."""
    if target.scope == ScopeKind.PERSON:
        person = target.user
        team = person.team if person is not None else None
        excluded = person.pk if person is not None else None
    elif target.scope == ScopeKind.TEAM:
        team, excluded = target.team.parent if target.team else None, None
        if target.team is not None:
            excluded = target.team.manager_id
    else:
        return None
    if team is None:
        return None
    chain = _ancestor_ids(team)
    managers = dict(Team.objects.filter(pk__in=chain).values_list("pk", "manager_id"))
    for team_id in chain:
        manager_id = managers.get(team_id)
        if manager_id is not None and manager_id != excluded:
            return manager_id
    return None


def check_can_approve(actor: User, target: Target) -> None:
    """Approving and locking: the manager above the subject, the director, an admin."""
    if actor.role in TOP:
        return
    if actor.role not in SETTERS:
        raise PermissionDenied(_("Your role cannot approve targets."))
    if manager_above(target) != actor.pk:
        raise PermissionDenied(
            _("A target is approved by the manager above the person or team it is for.")
        )


def check_can_change(actor: User, target: Target) -> None:
    """Editing and deleting: whoever may set it, or approve it."""
    try:
        check_can_set(actor, scope=target.scope, user_id=target.user_id, team_id=target.team_id)
    except PermissionDenied:
        check_can_approve(actor, target)


# --- planned leave ---------------------------------------------------------------------------


def leave_visible_q(actor: User) -> Q:
    """The planned leave `actor` may read: that of the people whose targets they read
    (always combined with the organisation filter)."""
    access = read_access(actor.role)
    if access is Access.ALL:
        return Q()
    if access is Access.NONE or not actor.org_id:
        return Q(pk__in=[])
    return Q(user_id__in=sorted(viewer_for(actor).owner_ids))


def check_can_set_leave(actor: User, user_id: int) -> None:
    """May `actor` record (or remove) planned leave of person `user_id`? The rule of
    `check_can_set` for a person's target, less the person themself."""
    if actor.role in TOP:
        return
    if actor.role not in SETTERS:
        raise PermissionDenied(_("Your role cannot record planned leave."))
    if user_id == actor.pk:
        raise PermissionDenied(_("Your own planned leave is recorded by the manager above you."))
    if user_id not in viewer_for(actor).owner_ids:
        raise PermissionDenied(_("You can record planned leave only for the people you manage."))
