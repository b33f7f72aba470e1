"""Cascading a target over its parts, and finding where a target tree does not add up: the
database side of `targets.cascade` (pure arithmetic).

The tree is the organisation's: the company's target splits over the top-level teams; a
team's over its sub-teams when it has any, else over its people (active users of the team
with a sales role). `target_cascade` is a service (re-exported by `targets.services`),
`target_mismatches` a read (re-exported by `targets.selectors`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from dealbook.core import audit
from dealbook.core.errors import DomainError
from dealbook.core.writes import apply_changes, check_version, creation_changes, lock
from dealbook.org.models import Organization, Team, User
from dealbook.org.policies import Access
from dealbook.org.visibility import viewer_for
from dealbook.targets import cascade, policies, recommend
from dealbook.targets.capacity import members_of
from dealbook.targets.enums import MetricKey, ScopeKind, TargetStatus
from dealbook.targets.metrics import Metric
from dealbook.targets.metrics import metric as metric_of
from dealbook.targets.models import Target
from dealbook.targets.periods import Period
from dealbook.targets.recommendations import (
    achievability_check,
    clean_period,
    invalid,
    recommendable_metric,
)
from dealbook.targets.subjects import SELLING_ROLES, organization_of, visible_targets

# --- the organisation's tree -------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    pk: int
    name: str
    team_id: int | None
    is_seller: bool  # active, with a sales role: receives a share of the team's target


@dataclass(frozen=True)
class _Tree:
    teams: dict[int, Team]
    children: dict[int | None, list[Team]]  # parent team id (None: top level) → teams
    people: list[_Person]

    @classmethod
    def load(cls, org_id: int) -> _Tree:
        """Two queries: the teams and the people of the organisation."""
        teams = {team.pk: team for team in Team.objects.filter(org_id=org_id).order_by("pk")}
        children: dict[int | None, list[Team]] = {}
        for team in teams.values():
            children.setdefault(team.parent_id, []).append(team)
        people = [
            _Person(
                pk=pk,
                name=display_name or username,
                team_id=team_id,
                is_seller=is_active and role in SELLING_ROLES,
            )
            for pk, display_name, username, team_id, is_active, role in User.objects.filter(
                org_id=org_id
            )
            .order_by("pk")
            .values_list("pk", "display_name", "username", "team_id", "is_active", "role")
        ]
        return cls(teams=teams, children=children, people=people)

    def sellers_of(self, team_id: int) -> list[_Person]:
        return [p for p in self.people if p.team_id == team_id and p.is_seller]

    def owners_of(self, team: Team) -> frozenset[int]:
        """Everyone in the team's subtree (as `subjects.team_member_ids`)."""
        inside = {pk for pk, other in self.teams.items() if other.path.startswith(team.path)}
        return frozenset(p.pk for p in self.people if p.team_id in inside)


@dataclass(frozen=True)
class _Child:
    scope: str
    pk: int
    name: str
    owners: frozenset[int]

    @property
    def user_id(self) -> int | None:
        return self.pk if self.scope == ScopeKind.PERSON else None

    @property
    def team_id(self) -> int | None:
        return self.pk if self.scope == ScopeKind.TEAM else None


def _children(tree: _Tree, parent: Target) -> list[_Child]:
    if parent.scope == ScopeKind.COMPANY:
        teams = tree.children.get(None, [])
    elif parent.team_id is not None:
        teams = tree.children.get(parent.team_id, [])
        if not teams:
            return [
                _Child(ScopeKind.PERSON, p.pk, p.name, frozenset({p.pk}))
                for p in tree.sellers_of(parent.team_id)
            ]
    else:  # pragma: no cover - a person's target is refused before
        return []
    return [_Child(ScopeKind.TEAM, t.pk, t.name, tree.owners_of(t)) for t in teams]


# --- the cascade ------------------------------------------------------------------------------


def _clean_method(method: str) -> cascade.Method:
    if method not in cascade.Method.__members__.values():
        raise invalid(
            "invalid_choice", _("Unknown cascade method %(method)r.") % {"method": method}, "method"
        )
    return cascade.Method(method)


def _one_year_back(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1)  # periods start on the first of a month


def _parts(
    children: list[_Child],
    method: cascade.Method,
    *,
    org: Organization,
    definition: Metric,
    parent: Target,
) -> list[cascade.Part]:
    if method is cascade.Method.BY_SHARE:
        start, end = _one_year_back(parent.start_date), _one_year_back(parent.end_date)
        return [
            cascade.Part(
                key=child.pk, last_year_actual=definition.actual(org, child.owners, start, end)
            )
            for child in children
        ]
    if method is cascade.Method.BY_CAPACITY:
        span = recommend.Span(parent.start_date, parent.end_date)
        everyone = frozenset().union(*(child.owners for child in children))
        members = members_of(
            org,
            Q(pk__in=sorted(everyone)),
            span,
            always=[c.pk for c in children if c.scope == ScopeKind.PERSON],
        )
        return [
            cascade.Part(
                key=child.pk,
                capacity=recommend.fte_months(
                    span, [members[pk] for pk in sorted(child.owners) if pk in members]
                ),
            )
            for child in children
        ]
    return [cascade.Part(key=child.pk) for child in children]


def _existing(org_id: int, parent: Target, children: list[_Child]) -> dict[int, Target]:
    """The children's targets of the same metric and period, locked, by subject id."""
    same_period = Target.objects.filter(
        org_id=org_id,
        metric=parent.metric,
        period_kind=parent.period_kind,
        start_date=parent.start_date,
    )
    ids = [child.pk for child in children]
    if children[0].scope == ScopeKind.PERSON:
        found = same_period.filter(scope=ScopeKind.PERSON, user_id__in=ids)
        return {t.user_id: t for t in found.select_for_update() if t.user_id is not None}
    found = same_period.filter(scope=ScopeKind.TEAM, team_id__in=ids)
    return {t.team_id: t for t in found.select_for_update() if t.team_id is not None}


def _refuse_split(parent: Target) -> None:
    if parent.scope == ScopeKind.PERSON:
        raise invalid(
            "not_splittable", _("A person's target cannot be split further."), "target_id"
        )


@transaction.atomic
def target_cascade(
    *, actor: User, parent_id: int, method: str, version: int | None = None
) -> list[Target]:
    """Split a company's target over the top-level teams, a team's over its sub-teams (or,
    without any, its people), by `method`: draft targets whose amounts sum exactly to the
    parent's. Existing drafts of those subjects are updated (re-running replaces them);
    approved or locked ones refuse the whole cascade. Every write is audited, and the
    cascade itself on the parent."""
    parent = lock(visible_targets(actor=actor).select_related("team"), parent_id, _("Target"))
    chosen = _clean_method(method)
    check_version(parent, version)
    _refuse_split(parent)
    definition = recommendable_metric(parent.metric, field="target_id")
    org = organization_of(actor)
    tree = _Tree.load(actor.org_id)
    children = _children(tree, parent)
    if not children:
        raise invalid(
            "no_parts",
            _("%(name)s has no teams or people to split the target over.")
            % {"name": _subject_name(tree, parent)},
            "target_id",
        )
    for child in children:
        policies.check_can_set(
            actor, scope=child.scope, user_id=child.user_id, team_id=child.team_id
        )
    existing = _existing(actor.org_id, parent, children)
    names = {child.pk: child.name for child in children}
    fixed = sorted(
        names[pk] for pk, target in existing.items() if target.status != TargetStatus.DRAFT
    )
    if fixed:
        raise DomainError(
            "children_not_draft",
            _(
                "These targets are already approved or locked and cannot be replaced by a "
                "cascade: %(names)s. Change them one by one instead."
            )
            % {"names": ", ".join(fixed)},
            field="method",
            status=409,
        )
    amounts = cascade.split(
        parent.amount,
        _parts(children, chosen, org=org, definition=definition, parent=parent),
        chosen,
        quantum=definition.quantum(org.currency),
    )
    period = clean_period(parent.period_kind, parent.start_date, org.fiscal_year_start_month)
    written = [
        _write_child(actor, org, parent, period, child, amount, existing.get(child.pk))
        for child, amount in zip(children, amounts, strict=True)
    ]
    kept = [target.pk for target in written]
    for stale in Target.objects.filter(
        org_id=actor.org_id, parent=parent, status=TargetStatus.DRAFT
    ).exclude(pk__in=kept):
        audit.record(
            actor=actor,
            verb="delete",
            target=stale,
            changes={"amount": [audit.jsonable(stale.amount), None]},
        )
        stale.delete()
    audit.record(
        actor=actor,
        verb="cascade",
        target=parent,
        changes={"method": [None, chosen.value], "children": [None, kept]},
    )
    return written


def _write_child(
    actor: User,
    org: Organization,
    parent: Target,
    period: Period,
    child: _Child,
    amount: Decimal,
    target: Target | None,
) -> Target:
    def achievability() -> dict[str, Any]:
        return achievability_check(
            org=org,
            metric_key=parent.metric,
            scope=child.scope,
            user_id=child.user_id,
            team_id=child.team_id,
            period=period,
            amount=amount,
        )

    if target is not None:
        values: dict[str, Any] = {"amount": amount, "parent_id": parent.pk}
        if amount != target.amount:
            values["achievability"] = achievability()
        apply_changes(target, actor=actor, values=values)
        return target
    values = {
        "metric": parent.metric,
        "scope": child.scope,
        "user_id": child.user_id,
        "team_id": child.team_id,
        "period_kind": parent.period_kind,
        "start_date": parent.start_date,
        "end_date": parent.end_date,
        "amount": amount,
        "relevant_note": parent.relevant_note,
        "parent_id": parent.pk,
        "status": TargetStatus.DRAFT.value,
        "achievability": achievability(),
    }
    created = Target.objects.create(org_id=actor.org_id, created_by=actor, **values)
    audit.record(actor=actor, verb="create", target=created, changes=creation_changes(values))
    return created


def _subject_name(tree: _Tree, target: Target) -> str:
    if target.scope == ScopeKind.TEAM and target.team_id in tree.teams:
        return tree.teams[target.team_id].name
    if target.scope == ScopeKind.PERSON:
        return next((p.name for p in tree.people if p.pk == target.user_id), "")
    return _("The company")


# --- the mismatch check -----------------------------------------------------------------------


@dataclass(frozen=True)
class MismatchView:
    """A target whose parts do not add up to it."""

    key: str  # "company", "team:<id>" or "person:<id>"
    target_id: int
    scope: str
    subject_id: int | None
    subject_name: str
    path: tuple[str, ...]  # subject names from the top of the tree down to this one
    amount: Decimal
    children_sum: Decimal
    difference: Decimal  # amount − children_sum: positive when the parts fall short
    child_names: tuple[str, ...]
    missing_names: tuple[str, ...]  # parts that have no target at all


@dataclass
class _Builder:
    tree: _Tree
    company: Target | None
    teams: dict[int, Target]
    people: dict[int, Target]
    labels: dict[str, str]

    def person(self, person: _Person) -> cascade.Node:
        key = f"person:{person.pk}"
        self.labels[key] = person.name
        target = self.people.get(person.pk)
        return cascade.Node(key, target.amount if target else None, (), person.name)

    def team(self, team: Team) -> list[cascade.Node]:
        """The team's node; a team without a target but with targets below it stands aside
        for its parts (so a company split straight into the sales teams still adds up)."""
        key = f"team:{team.pk}"
        self.labels[key] = team.name
        sub_teams = self.tree.children.get(team.pk, [])
        if sub_teams:
            parts = [node for sub in sub_teams for node in self.team(sub)]
        else:
            people = {p.pk: p for p in self.tree.sellers_of(team.pk)}
            people |= {
                p.pk: p
                for p in self.tree.people
                if p.team_id == team.pk and p.pk in self.people and p.pk not in people
            }
            parts = [self.person(people[pk]) for pk in sorted(people)]
        target = self.teams.get(team.pk)
        if target is not None:
            return [cascade.Node(key, target.amount, tuple(parts), team.name)]
        if any(_has_amount(node) for node in parts):
            return parts
        return [cascade.Node(key, None, (), team.name)]


def _has_amount(node: cascade.Node) -> bool:
    return node.amount is not None or any(_has_amount(child) for child in node.children)


def _roots(actor: User, builder: _Builder) -> list[cascade.Node]:
    tree = builder.tree
    if policies.read_access(actor.role) is Access.ALL:
        parts = [node for team in tree.children.get(None, []) for node in builder.team(team)]
        builder.labels["company"] = _("The company")
        amount = builder.company.amount if builder.company is not None else None
        return [cascade.Node("company", amount, tuple(parts), builder.labels["company"])]
    if policies.read_access(actor.role) is Access.NONE:
        return []
    managed = viewer_for(actor).managed_team_ids
    tops = [
        team for pk, team in tree.teams.items() if pk in managed and team.parent_id not in managed
    ]
    return [node for team in tops for node in builder.team(team)]


def target_mismatches(
    *, actor: User, metric: str, period_kind: str, start_date: dt.date
) -> list[MismatchView]:
    """Every target of this metric and period (company → teams → people, as far as the actor
    may read them) whose parts do not add up to it, top down. Three queries and the actor's
    scope."""
    org = organization_of(actor)
    if metric not in MetricKey.values:
        raise invalid("invalid_choice", _("Unknown metric %(key)r.") % {"key": metric}, "metric")
    clean_period(period_kind, start_date, org.fiscal_year_start_month)
    if not metric_of(metric).is_additive:
        return []  # the parts of a ratio (an average) are not meant to add up to it
    targets = list(
        visible_targets(actor=actor).filter(
            metric=metric, period_kind=period_kind, start_date=start_date
        )
    )
    builder = _Builder(
        tree=_Tree.load(actor.org_id),
        company=next((t for t in targets if t.scope == ScopeKind.COMPANY), None),
        teams={t.team_id: t for t in targets if t.scope == ScopeKind.TEAM and t.team_id},
        people={t.user_id: t for t in targets if t.scope == ScopeKind.PERSON and t.user_id},
        labels={},
    )
    found = []
    for root in _roots(actor, builder):
        found.extend(cascade.mismatches(root))
    by_key = {"company": builder.company} if builder.company is not None else {}
    by_key |= {f"team:{pk}": t for pk, t in builder.teams.items()}
    labels = builder.labels
    views = []
    for mismatch in found:
        target = by_key[str(mismatch.key)]
        views.append(
            MismatchView(
                key=str(mismatch.key),
                target_id=target.pk,
                scope=target.scope,
                subject_id=target.subject_id,
                subject_name=labels[str(mismatch.key)],
                path=tuple(labels[str(key)] for key in mismatch.path),
                amount=mismatch.amount,
                children_sum=mismatch.children_sum,
                difference=mismatch.difference,
                child_names=tuple(labels[str(key)] for key in mismatch.child_keys),
                missing_names=tuple(labels[str(key)] for key in mismatch.missing_child_keys),
            )
        )
    return views
