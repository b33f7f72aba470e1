"""What the shell links to: the navigation by role, and the page of a search hit.

Pages are found by URL name. A page that is not built yet has no route, so its navigation
entry shows without a link and a search hit of its type without one: the later pages light
up here by naming their routes as below, with nothing else to change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dealbook.org.enums import Role
from dealbook.org.models import User
from dealbook.org.policies import Access, Entity, read_access
from dealbook.targets.policies import read_access as target_read_access

# Search hit type → URL name of the record's page (taking the record's id).
RECORD_ROUTES = {
    "account": "account_detail",
    "contact": "contact_detail",
    "deal": "deal_detail",
    "lead": "lead_detail",
}


def _reads(entity: Entity) -> Callable[[User], bool]:
    return lambda user: read_access(user.role, entity) != Access.NONE


def _reads_targets(user: User) -> bool:
    return target_read_access(user.role) != Access.NONE


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str | Promise
    url_name: str
    is_shown_to: Callable[[User], bool]


NAVIGATION = (
    NavEntry("home", _("Home"), "home", lambda user: True),
    NavEntry("accounts", _("Accounts"), "account_list", _reads(Entity.ACCOUNT)),
    NavEntry("contacts", _("Contacts"), "contact_list", _reads(Entity.CONTACT)),
    NavEntry("pipeline", _("Pipeline"), "pipeline_board", _reads(Entity.DEAL)),
    NavEntry("leads", _("Leads & pool"), "lead_list", _reads(Entity.LEAD)),
    NavEntry("targets", _("Targets"), "target_list", _reads_targets),
    NavEntry("admin", _("Admin"), "admin:index", lambda user: user.role == Role.ADMIN),
)


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str | Promise
    url: str | None  # None: the page is not built yet
    is_current: bool


def url_or_none(url_name: str, *args: object) -> str | None:
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return None


def navigation_for(user: User, current_url_name: str | None = None) -> list[NavLink]:
    """The entries `user`'s role shows, in order."""
    return [
        NavLink(
            key=entry.key,
            label=entry.label,
            url=url_or_none(entry.url_name),
            is_current=entry.url_name == current_url_name,
        )
        for entry in NAVIGATION
        if entry.is_shown_to(user)
    ]


def record_url(kind: str, record_id: int) -> str | None:
    """The page of a search hit, or None while that page does not exist."""
    route = RECORD_ROUTES.get(kind)
    return url_or_none(route, record_id) if route else None
