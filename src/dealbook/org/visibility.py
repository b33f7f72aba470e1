"""The one visibility contract every selector applies.

A record is visible to its owner, to managers above the owner in the team tree, to
org-wide roles, and to users (or teams) it is explicitly shared with. Children follow
their parent. A user of another organisation sees nothing, ever.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith

from dealbook.core.prepared import Prepared
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


def _managed_members_query(shape: tuple, *, user_id: int, org_id: int) -> QuerySet:
    managed_above = Team.objects.filter(org_id=org_id, manager_id=user_id).filter(
        StartsWith(OuterRef("path"), F("path"))
    )
    same_org_members = FilteredRelation("members", condition=Q(members__org_id=org_id))
    return (
        Team.objects.filter(Exists(managed_above), org_id=org_id)
        .annotate(member=same_org_members)
        .values_list("pk", "member__id")
    )


_managed_members = Prepared(_managed_members_query)


def _viewer(user: User, rows: list[tuple[int, int | None]]) -> Viewer:
    """The scope from the (team, member) rows of the subtrees the user manages."""
    managed_team_ids = frozenset(team_id for team_id, _member in rows)
    owner_ids = {user.pk} | {member for _team, member in rows if member is not None}
    team_ids = set(managed_team_ids)
    if user.team_id:
        team_ids.add(user.team_id)
    return Viewer(
        user_id=user.pk,
        org_id=user.org_id or 0,
        role=user.role,
        owner_ids=frozenset(owner_ids),
        team_ids=frozenset(team_ids),
        managed_team_ids=managed_team_ids,
    )


def viewer_for(user: User) -> Viewer:
    """The user's ownership scope, in at most one query (none when token authentication
    already read it, see `remember_scope`).

    The query lists every team in the subtrees the user manages (a team is in a subtree
    when the managed team's path is a prefix of its path) with each of their members.
    """
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    viewer = _viewer(user, _managed_members(user_id=user.pk, org_id=user.org_id or 0))
    setattr(user, _CACHE_ATTR, viewer)
    return viewer


# The same two reads as SQL expressions over the user row `u`, for the statement token
# authentication runs on every API call (org.services): the (team, member) pairs of the
# subtrees `u` manages as "team:member,…" (member 0: a team without members), and the records
# shared with `u`, their own team or a team they manage, as "type:id,…". {agg} is the engine's
# string aggregate.
_MANAGED_TEAMS_SQL = (
    "SELECT tm.id FROM org_team tm WHERE tm.org_id = u.org_id AND EXISTS ("
    "SELECT 1 FROM org_team mt WHERE mt.manager_id = u.id AND mt.org_id = u.org_id "
    "AND substr(tm.path, 1, length(mt.path)) = mt.path)"
)
MANAGED_MEMBERS_SQL = (
    "(SELECT {agg}(tm.id || ':' || COALESCE(mu.id, 0), ',') FROM org_team tm "  # noqa: S608
    "LEFT JOIN org_user mu ON mu.team_id = tm.id AND mu.org_id = u.org_id "
    f"WHERE tm.id IN ({_MANAGED_TEAMS_SQL}))"
)
SHARED_RECORDS_SQL = (
    "(SELECT {agg}(s.object_type || ':' || s.object_id, ',') FROM org_share s "  # noqa: S608
    "WHERE s.org_id = u.org_id AND (s.user_id = u.id OR s.team_id = u.team_id "
    f"OR s.team_id IN ({_MANAGED_TEAMS_SQL})))"
)


def remember_scope(user: User, managed_members: str, shared_records: str) -> None:
    """Keep the scope and shares token authentication read with the user (the values of
    MANAGED_MEMBERS_SQL and SHARED_RECORDS_SQL): the request's visibility needs no query."""
    rows: list[tuple[int, int | None]] = []
    for pair in filter(None, managed_members.split(",")):
        team_id, _sep, member_id = pair.partition(":")
        rows.append((int(team_id), int(member_id) or None))
    setattr(user, _CACHE_ATTR, _viewer(user, rows))
    shares = []
    for item in filter(None, shared_records.split(",")):
        object_type, _sep, object_id = item.rpartition(":")
        shares.append((object_type, int(object_id)))
    setattr(user, _SHARES_ATTR, _grouped(shares))


def forget_viewer(user: User) -> None:
    """Drop the cached scope (after the team tree changed in the same request)."""
    for attr in (_CACHE_ATTR, _SHARES_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def shared_ids(viewer: Viewer, object_type: str) -> QuerySet:
    """Ids of `object_type` records shared with the viewer or one of the viewer's teams."""
    return Share.objects.filter(
        Q(user_id=viewer.user_id) | Q(team_id__in=viewer.team_ids),
        org_id=viewer.org_id,
        object_type=object_type,
    ).values("object_id")


SHARE_INLINE_MAX = 500  # more shares than this: the share table is asked in a subquery
_SHARES_ATTR = "_dealbook_shares"


def _grouped(rows: list[tuple[str, int]]) -> dict[str, frozenset[int]] | None:
    if len(rows) > SHARE_INLINE_MAX:
        return None
    grouped: dict[str, set[int]] = {}
    for object_type, object_id in rows:
        grouped.setdefault(object_type, set()).add(object_id)
    return {key: frozenset(ids) for key, ids in grouped.items()}


def _shares_query(shape: tuple, *, user_id: int, team_ids: list[int], org_id: int) -> QuerySet:
    return Share.objects.filter(
        Q(user_id=user_id) | Q(team_id__in=team_ids), org_id=org_id
    ).values_list("object_type", "object_id")[: SHARE_INLINE_MAX + 1]


_shares_of = Prepared(_shares_query)


def _shares_by_type(user: User, viewer: Viewer) -> dict[str, frozenset[int]] | None:
    """The ids shared with the user or their teams, by type, read once per request (or
    already by token authentication); None when there are too many to inline."""
    if hasattr(user, _SHARES_ATTR):
        return getattr(user, _SHARES_ATTR)
    rows = _shares_of(
        user_id=viewer.user_id, team_ids=sorted(viewer.team_ids), org_id=viewer.org_id
    )
    shares = _grouped(rows)
    setattr(user, _SHARES_ATTR, shares)
    return shares


def shared_q(user: User, entity: Entity) -> Q:
    """Records of `entity` shared with the user or one of their teams: the ids themselves
    (an always-false Q when none), or a subquery when there are very many. Inlined ids keep
    the visibility filter a plain owner test for most users, which the indexes serve."""
    viewer = viewer_for(user)
    shares = _shares_by_type(user, viewer)
    if shares is None:
        return Q(pk__in=shared_ids(viewer, entity.value))
    return Q(pk__in=sorted(shares.get(entity.value, ())))


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
    owned = Q(**{f"{owner_field}__in": sorted(viewer.owner_ids)})
    shares = _shares_by_type(user, viewer)
    if shares is not None and not shares.get(entity.value):
        return owned
    return owned | shared_q(user, entity)


def scoped(queryset: QuerySet, user: User) -> QuerySet:
    """The organisation filter: the first thing every selector applies."""
    if not user.is_authenticated or not user.org_id:
        return queryset.none()
    return queryset.filter(org_id=user.org_id)


def owner_scope(
    user: User, entity: Entity, owner_ids: frozenset[int] | None
) -> frozenset[int] | None:
    """The owners whose records of `entity` a team view of `owner_ids` (None: every owner)
    may show the user: None for every owner (org-wide readers only), else a set — empty
    when the user may see none. Owners outside a scoped user's ownership are dropped, so
    every row is visible by ownership and no per-row share or parent check is needed."""
    access = read_access(user.role, entity)
    if not user.is_authenticated or not user.org_id or access is Access.NONE:
        return frozenset()
    if owner_ids is None:
        return None if access is Access.ALL else frozenset()
    if access is Access.SCOPED:
        return owner_ids & viewer_for(user).owner_ids
    return owner_ids


def by_owners(
    queryset: QuerySet, org_id: int, owners: frozenset[int] | list[int] | None
) -> QuerySet:
    """`queryset`'s records of organisation `org_id` owned by `owners` (None: every owner),
    as `owner_scope` computed them: a filter the (org, owner, …) indexes serve owner by owner."""
    qs = queryset.filter(org_id=org_id)
    if owners is None:
        return qs
    return qs.filter(owner_id__in=sorted(owners))


def owned_by(
    queryset: QuerySet, user: User, entity: Entity, owner_ids: frozenset[int] | None
) -> QuerySet:
    """`queryset`'s records owned by `owner_ids` (None: every owner, for org-wide readers),
    for team views: `by_owners` over the `owner_scope` of the user."""
    owners = owner_scope(user, entity, owner_ids)
    if owners is not None and not owners:
        return queryset.none()
    return by_owners(queryset, user.org_id or 0, owners)


def can_see_owner(user: User, owner_id: int | None) -> bool:
    """Whether `owner_id`'s records fall inside `user`'s ownership scope (for assignment)."""
    if user.is_org_wide:
        return True
    return owner_id is not None and owner_id in viewer_for(user).owner_ids


# --- prepared reads (dealbook.core.prepared) ---------------------------------------------


def scope_values(user: User, *entities: Entity) -> tuple[tuple, dict[str, Any]]:
    """The user's visibility of `entities` as a prepared read binds it: the shape (what
    changes the SQL's text) and the values (ints and sorted id lists)."""
    has_org = bool(user.is_authenticated and user.org_id)
    access = tuple(read_access(user.role, entity).value for entity in entities)
    scoped_types = tuple(
        entity.value for entity in entities if read_access(user.role, entity) is Access.SCOPED
    )
    if not scoped_types or not has_org:
        return (user.role, access, has_org, "", ()), {"org_id": user.org_id or 0}
    viewer = viewer_for(user)
    shares = _shares_by_type(user, viewer)
    values: dict[str, Any] = {
        "org_id": viewer.org_id,
        "user_id": viewer.user_id,
        "owner_ids": sorted(viewer.owner_ids),
    }
    if shares is None:
        values["team_ids"] = sorted(viewer.team_ids)
        return (user.role, access, has_org, "subquery", scoped_types), values
    for object_type in scoped_types:
        values[f"shared_{object_type}_ids"] = sorted(shares.get(object_type, ()))
    return (user.role, access, has_org, "inline", scoped_types), values


def marked_user(
    scope_shape: tuple,
    *,
    org_id: int,
    user_id: int = 0,
    owner_ids: list[int] | None = None,
    team_ids: list[int] | None = None,
    **shared_ids: list[int],
) -> User:
    """A stand-in user carrying marker values, for building a prepared read with the same
    selectors as everyone else: `scope_values`' shape in, the same visibility SQL out."""
    role, _access, has_org, mode, scoped_types = scope_shape
    user = User(pk=user_id or None, org_id=org_id if has_org else None, role=role)
    if mode:
        setattr(
            user,
            _CACHE_ATTR,
            Viewer(
                user_id=user_id,
                org_id=org_id,
                role=role,
                owner_ids=frozenset(owner_ids or ()),
                team_ids=frozenset(team_ids or ()),
                managed_team_ids=frozenset(),
            ),
        )
        shares = (
            None
            if mode == "subquery"
            else {
                object_type: frozenset(shared_ids.get(f"shared_{object_type}_ids") or ())
                for object_type in scoped_types
            }
        )
        setattr(user, _SHARES_ATTR, shares)
    return user


class VisibleById:
    """One record by id as the actor may see it, a prepared read: `visible(actor)` is the
    type's visibility selector (narrowed or widened as the caller needs), run once per shape
    of the actor's scope with `marked_user`, then bound per request. Calling it gives the
    row (a list of at most one), empty when the actor may not see it."""

    def __init__(self, visible: Callable[[User], QuerySet], entity: Entity) -> None:
        self._entity = entity
        self._read = Prepared(
            lambda shape, *, record_id, **scope: visible(marked_user(shape, **scope)).filter(
                pk=record_id
            )
        )

    def __call__(self, actor: User, record_id: int) -> list:
        shape, scope = scope_values(actor, self._entity)
        return self._read(shape, record_id=record_id, **scope)

    def tuples(self, actor: User, record_id: int) -> list[tuple]:
        """The row as a tuple, for a selector that ends with `values_list()`."""
        shape, scope = scope_values(actor, self._entity)
        return self._read.tuples(shape, record_id=record_id, **scope)
