"""The one visibility contract every selector applies.

A record is visible to its owner, to managers above the owner in the team tree, to
org-wide roles, and to users (or teams) it is explicitly shared with. Children follow
their parent. A user of another organisation sees nothing, ever.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from dealbook.org.models import Share, Team, User
from dealbook.org.policies import Access, Entity, read_access

_CACHE_ATTR = "_dealbook_viewer"


@dataclass(frozen=True)
class Viewer:
    """What the acting user sees by ownership: computed once per request."""

    user_id: int
    org_id: int
    role: str
    owner_ids: frozenset[int]  # users whose records this user sees as owner or manager
    team_ids: frozenset[int]  # teams whose shares reach this user (own team, managed subtree)
    managed_team_ids: frozenset[int]


def viewer_for(user: User) -> Viewer:
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    managed_paths = list(
        Team.objects.filter(org_id=user.org_id, manager_id=user.pk).values_list("path", flat=True)
    )
    subtree_q = Q(pk__in=[])
    for path in managed_paths:
        subtree_q |= Q(path__startswith=path)
    managed_team_ids = (
        frozenset(Team.objects.filter(subtree_q, org_id=user.org_id).values_list("pk", flat=True))
        if managed_paths
        else frozenset()
    )
    owner_ids = {user.pk}
    if managed_team_ids:
        owner_ids |= set(
            User.objects.filter(org_id=user.org_id, team_id__in=managed_team_ids).values_list(
                "pk", flat=True
            )
        )
    team_ids = set(managed_team_ids)
    if user.team_id:
        team_ids.add(user.team_id)
    viewer = Viewer(
        user_id=user.pk,
        org_id=user.org_id or 0,
        role=user.role,
        owner_ids=frozenset(owner_ids),
        team_ids=frozenset(team_ids),
        managed_team_ids=managed_team_ids,
    )
    setattr(user, _CACHE_ATTR, viewer)
    return viewer


def forget_viewer(user: User) -> None:
    """Drop the cached scope (after the team tree changed in the same request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def shared_ids(viewer: Viewer, object_type: str) -> QuerySet:
    """Ids of `object_type` records shared with the viewer or one of the viewer's teams."""
    return Share.objects.filter(
        Q(user_id=viewer.user_id) | Q(team_id__in=viewer.team_ids),
        org_id=viewer.org_id,
        object_type=object_type,
    ).values("object_id")


def owned_q(user: User, entity: Entity, *, owner_field: str = "owner_id") -> Q:
    """The filter for records of `entity` visible to `user` through ownership or shares.

    Returns Q() for org-wide access and an always-false Q for none. Always combine with
    the org filter (selectors start from `scoped(...)`, which does).
    """
    access = read_access(user.role, entity)
    if access is Access.ALL:
        return Q()
    if access is Access.NONE or not user.org_id:
        return Q(pk__in=[])
    viewer = viewer_for(user)
    return Q(**{f"{owner_field}__in": viewer.owner_ids}) | Q(
        pk__in=shared_ids(viewer, entity.value)
    )


def scoped(queryset: QuerySet, user: User) -> QuerySet:
    """The organisation filter: the first thing every selector applies."""
    if not user.is_authenticated or not user.org_id:
        return queryset.none()
    return queryset.filter(org_id=user.org_id)


def can_see_owner(user: User, owner_id: int | None) -> bool:
    """Whether `owner_id`'s records fall inside `user`'s ownership scope (for assignment)."""
    if user.is_org_wide:
        return True
    return owner_id is not None and owner_id in viewer_for(user).owner_ids
