"""Who a target is for: the acting user's organisation, the targets they may read, and the
people whose results count for a team. Shared by the selectors and by the recommendation and
cascade modules (which the selectors and services re-export)."""

from __future__ import annotations

from django.db.models import QuerySet

from dealbook.org.enums import SALES_ROLES
from dealbook.org.models import Organization, Team, User
from dealbook.org.selectors import org_settings
from dealbook.org.visibility import scoped
from dealbook.targets import policies
from dealbook.targets.models import Target

# Who is counted as someone who sells (capacity, a team's people in a cascade): the sales
# roles, and anyone else who has won deals.
SELLING_ROLES = frozenset(role.value for role in SALES_ROLES)


def organization_of(actor: User) -> Organization:
    settings = org_settings(actor=actor)
    return Organization(
        pk=actor.org_id,
        time_zone=str(settings.zone),
        currency=settings.currency,
        fiscal_year_start_month=settings.fiscal_year_start_month,
    )


def visible_targets(*, actor: User) -> QuerySet[Target]:
    return scoped(Target.objects.all(), actor).filter(policies.visible_q(actor))


def team_member_ids(*, org_id: int, team: Team) -> frozenset[int]:
    """Everyone in `team` and the teams below it (today's membership), active or not: a
    person who left still won the deals they won."""
    return frozenset(
        User.objects.filter(org_id=org_id, team__path__startswith=team.path).values_list(
            "pk", flat=True
        )
    )
