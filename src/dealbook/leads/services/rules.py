"""Assignment rules: which team's reps receive new leads, in turn (admins only)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dealbook.core import audit
from dealbook.core.errors import DomainError
from dealbook.core.writes import (
    apply_changes,
    check_version,
    lock,
    refuse_unknown_fields,
)
from dealbook.leads import policies, selectors
from dealbook.leads.enums import LeadErrorCode
from dealbook.leads.models import AssignmentRule
from dealbook.leads.services._common import (
    RULE_FIELDS,
)
from dealbook.org.models import Team, User


def _team(actor: User, team_id: int) -> Team:
    team = Team.objects.filter(org_id=actor.org_id, pk=team_id).first()
    if team is None:
        raise DomainError(
            LeadErrorCode.DOES_NOT_EXIST,
            _("Team %(id)s does not exist.") % {"id": team_id},
            field="team_id",
            status=422,
        )
    return team


def _rule_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(LeadErrorCode.REQUIRED, _("Name is required."), field="name", status=422)
    return name


@transaction.atomic
def assignment_rule_create(
    *,
    actor: User,
    name: str,
    team_id: int,
    region: str = "",
    source: str = "",
    order: int = 0,
    is_active: bool = True,
) -> AssignmentRule:
    policies.check_can_manage_rules(actor)
    team = _team(actor, team_id)
    rule = AssignmentRule.objects.create(
        org_id=actor.org_id,
        name=_rule_name(name),
        team=team,
        region=region.strip(),
        source=source,
        order=order,
        is_active=is_active,
    )
    audit.record(
        actor=actor,
        verb="create",
        target=rule,
        changes={
            "name": [None, rule.name],
            "team_id": [None, team.pk],
            "region": [None, rule.region],
            "source": [None, rule.source],
            "order": [None, order],
            "is_active": [None, is_active],
        },
    )
    return rule


@transaction.atomic
def assignment_rule_update(
    *, actor: User, rule_id: int, version: int, values: dict[str, Any]
) -> AssignmentRule:
    policies.check_can_manage_rules(actor)
    refuse_unknown_fields(values, RULE_FIELDS)
    selectors.assignment_rule_get(actor=actor, rule_id=rule_id)
    rule = lock(AssignmentRule.objects.filter(org_id=actor.org_id), rule_id, _("Assignment rule"))
    check_version(rule, version)
    values = dict(values)
    if "team_id" in values:
        values["team_id"] = _team(actor, values["team_id"]).pk
    if "name" in values:
        values["name"] = _rule_name(values["name"])
    if "region" in values:
        values["region"] = (values["region"] or "").strip()
    apply_changes(rule, actor=actor, values=values)
    return rule


@transaction.atomic
def assignment_rule_delete(*, actor: User, rule_id: int) -> None:
    policies.check_can_manage_rules(actor)
    selectors.assignment_rule_get(actor=actor, rule_id=rule_id)
    rule = lock(AssignmentRule.objects.filter(org_id=actor.org_id), rule_id, _("Assignment rule"))
    audit.record(actor=actor, verb="delete", target=rule, changes={"name": [rule.name, None]})
    rule.delete()
