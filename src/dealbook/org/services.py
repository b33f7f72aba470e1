"""Writes for the organisation: teams, people, shares, API tokens. Each one audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealbook.core import audit
from dealbook.core.errors import DomainError, NotFound, PermissionDenied
from dealbook.org.enums import Role
from dealbook.org.models import ApiToken, Department, Organization, SavedView, Share, Team, User
from dealbook.org.saved_views import IGNORED_PARAMETERS, PAGE_PARAMETERS
from dealbook.org.selectors import ORG_SETTINGS_SQL, remember_org_settings
from dealbook.org.visibility import (
    MANAGED_MEMBERS_SQL,
    SHARED_RECORDS_SQL,
    forget_viewer,
    remember_scope,
)

TOKEN_PREFIX = "dbk_"  # noqa: S105 - a public prefix that marks tokens, not a secret


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only an admin can change the organisation."))


@transaction.atomic
def organization_create(
    *, name: str, slug: str, currency: str = "CNY", time_zone: str = "Asia/Shanghai"
) -> Organization:
    """Bootstrap a tenant (command line / tests). Audited once its first user exists."""
    if Organization.objects.filter(slug=slug).exists():
        raise DomainError(
            "duplicate",
            _("An organisation with slug %(slug)s exists.") % {"slug": slug},
            field="slug",
        )
    return Organization.objects.create(name=name, slug=slug, currency=currency, time_zone=time_zone)


@transaction.atomic
def department_create(*, actor: User | None, org: Organization, name: str) -> Department:
    if actor is not None:
        _require_admin(actor)
    department = Department.objects.create(org=org, name=name)
    audit.record(actor=actor, verb="create", target=department, changes={"name": [None, name]})
    return department


@transaction.atomic
def team_create(
    *,
    actor: User | None,
    org: Organization,
    name: str,
    parent: Team | None = None,
    manager: User | None = None,
    region: str = "",
) -> Team:
    if actor is not None:
        _require_admin(actor)
    if parent is not None and parent.org_id != org.pk:
        raise NotFound(_("Parent team"), field="parent_id")
    if Team.objects.filter(org=org, name=name).exists():
        raise DomainError(
            "duplicate", _("A team named %(name)s exists.") % {"name": name}, field="name"
        )
    team = Team.objects.create(org=org, name=name, parent=parent, manager=manager, region=region)
    team.path = f"{parent.path if parent else '/'}{team.pk}/"
    team.save(update_fields=["path"])
    audit.record(
        actor=actor,
        verb="create",
        target=team,
        changes={
            "name": [None, name],
            "parent": [None, parent and parent.pk],
            "manager": [None, manager and manager.pk],
        },
    )
    return team


@transaction.atomic
def team_set_manager(*, actor: User | None, team: Team, manager: User | None) -> Team:
    if actor is not None:
        _require_admin(actor)
    changes = audit.diff({"manager": team.manager_id}, {"manager": manager and manager.pk})
    team.manager = manager
    team.version += 1
    team.save(update_fields=["manager", "version", "updated_at"])
    audit.record(actor=actor, verb="update", target=team, changes=changes)
    return team


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    org: Organization,
    username: str,
    password: str | None,
    role: str,
    display_name: str = "",
    email: str = "",
    team: Team | None = None,
    department: Department | None = None,
    language: str = "en",
) -> User:
    """Create a person in `org`. `actor=None` only from the command line and the demo."""
    if actor is not None:
        _require_admin(actor)
    if role not in Role.values:
        raise DomainError("invalid", _("Unknown role %(role)s.") % {"role": role}, field="role")
    if User.objects.filter(username=username).exists():
        raise DomainError(
            "duplicate", _("The login %(login)s is taken.") % {"login": username}, field="username"
        )
    user = User(
        org=org,
        username=username,
        role=role,
        display_name=display_name,
        email=email,
        team=team,
        department=department,
        language=language,
        is_staff=role == Role.ADMIN,
        is_superuser=False,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(
        actor=actor,
        verb="create",
        target=user,
        changes={
            "username": [None, username],
            "role": [None, role],
            "team": [None, team and team.pk],
        },
    )
    return user


@transaction.atomic
def user_set_language(*, actor: User, user: User | None = None, language: str) -> User:
    """Save the language `actor`'s pages come in. A person changes only their own."""
    from django.conf import settings

    if user is not None and user.pk != actor.pk:
        raise PermissionDenied(_("You can change only your own language."))
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise DomainError(
            "invalid",
            _("Unknown language %(language)s.") % {"language": language},
            field="language",
        )
    locked = User.objects.select_for_update().get(pk=actor.pk)
    changes = audit.diff({"language": locked.language}, {"language": language})
    if changes:
        locked.language = language
        locked.save(update_fields=["language"])
        audit.record(actor=actor, verb="update", target=locked, changes=changes)
    actor.language = language
    return actor


@transaction.atomic
def share_create(
    *,
    actor: User,
    object_type: str,
    object_id: int,
    user: User | None = None,
    team: Team | None = None,
) -> Share:
    """Share one record; the caller has already checked that `actor` may change it."""
    if (user is None) == (team is None):
        raise DomainError("invalid", _("Share with exactly one user or one team."), field="user_id")
    target_org = (user or team).org_id  # type: ignore[union-attr]
    if target_org != actor.org_id:
        raise NotFound(_("User") if user else _("Team"), field="user_id" if user else "team_id")
    share, created = Share.objects.get_or_create(
        org_id=actor.org_id,
        object_type=object_type,
        object_id=object_id,
        user=user,
        team=team,
        defaults={"created_by": actor},
    )
    if created:
        audit.record(
            actor=actor,
            verb="share",
            target=share,
            changes={
                "object": [None, f"{object_type}#{object_id}"],
                "user": [None, user and user.pk],
                "team": [None, team and team.pk],
            },
        )
        for member in [user] if user else []:
            forget_viewer(member)
    return share


@transaction.atomic
def share_delete(*, actor: User, share: Share) -> None:
    audit.record(
        actor=actor,
        verb="unshare",
        target=share,
        changes={"object": [f"{share.object_type}#{share.object_id}", None]},
    )
    share.delete()


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new personal token for `actor`. The raw token is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        org_id=actor.org_id, user=actor, name=name, prefix=raw[:10], token_hash=_hash(raw)
    )
    audit.record(actor=actor, verb="create", target=token, changes={"name": [None, name]})
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    try:
        token = ApiToken.objects.select_for_update().get(
            pk=token_id, user=actor, revoked_at__isnull=True
        )
    except ApiToken.DoesNotExist:
        raise NotFound(_("API token")) from None
    token.revoked_at = timezone.now()
    token.version += 1
    token.save(update_fields=["revoked_at", "version", "updated_at"])
    audit.record(actor=actor, verb="revoke", target=token, changes={"revoked": [False, True]})
    return token


TOKEN_TOUCH_SECONDS = 60  # last_used_at is refreshed at most this often

# One statement on every API call with a token: the user, whether the token's last use is
# old enough to be refreshed, and the user's visibility scope (the members of the teams they
# manage, the records shared with them) and their organisation's settings, so that the
# request's visibility and clock need no query of their own (visibility.remember_scope,
# selectors.remember_org_settings). Written out, and its row read straight into a
# User, rather than built and read by the ORM: the ORM's building, compiling and per-query
# column plan cost more than the rest of a small request.
_USER_FIELDS = tuple(User._meta.concrete_fields)
_USER_ATTNAMES = [field.attname for field in _USER_FIELDS]
_TOKEN_USER_SQL = (
    "SELECT {columns}, t.id AS token_id, "  # noqa: S608 - constant SQL, values bound
    "(t.last_used_at IS NULL OR t.last_used_at < %s) AS token_is_stale, "
    f"{MANAGED_MEMBERS_SQL} AS managed_members, {SHARED_RECORDS_SQL} AS shared_records, "
    f"{ORG_SETTINGS_SQL} "
    "FROM org_apitoken t INNER JOIN org_user u ON u.id = t.user_id AND u.org_id = t.org_id "
    "INNER JOIN org_organization o ON o.id = u.org_id "
    "WHERE t.token_hash = %s AND t.revoked_at IS NULL AND u.is_active"
)


@dataclass(frozen=True)
class _TokenUserReader:
    """The statement for one database vendor and how its row becomes a User: each column's
    converters (SQLite's text instants to datetimes, …), worked out once."""

    statement: str
    converters: tuple[tuple[int, tuple, Any], ...]  # (position, converters, column)


_token_user_readers: dict[str, _TokenUserReader] = {}


def _token_user_reader() -> _TokenUserReader:
    reader = _token_user_readers.get(connection.vendor)
    if reader is None:
        quote = connection.ops.quote_name
        statement = _TOKEN_USER_SQL.format(
            columns=", ".join(f"u.{quote(str(field.column))}" for field in _USER_FIELDS),
            agg="string_agg" if connection.vendor == "postgresql" else "group_concat",
        )
        columns: list[Any] = [field.get_col(User._meta.db_table) for field in _USER_FIELDS]
        compiler = connection.ops.compiler("SQLCompiler")(
            User.objects.none().query, connection, None
        )
        converters = tuple(
            (position, tuple(found), column)
            for position, (found, column) in compiler.get_converters(columns).items()
        )
        reader = _token_user_readers[connection.vendor] = _TokenUserReader(statement, converters)
    return reader


def api_token_authenticate(raw: str) -> User | None:
    """The active user a raw bearer token belongs to, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    stale_before = connection.ops.adapt_datetimefield_value(
        now - dt.timedelta(seconds=TOKEN_TOUCH_SECONDS)
    )
    reader = _token_user_reader()
    with connection.cursor() as cursor:
        cursor.execute(reader.statement, [stale_before, _hash(raw)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row[: len(_USER_FIELDS)])
    for position, converters, column in reader.converters:
        for convert in converters:
            values[position] = convert(values[position], column, connection)
    user = User.from_db(connection.alias, _USER_ATTNAMES, values)
    token_id, token_is_stale, managed_members, shared_records, *org = row[len(_USER_FIELDS) :]
    if token_is_stale:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    remember_scope(user, managed_members or "", shared_records or "")
    remember_org_settings(user, *org)
    return user


# --- saved views of list pages ---------------------------------------------------------------

SAVED_VIEW_QUERY_MAX = 1000


def _saved_view_query(page: str, query: str) -> str:
    """`query` with only the parameters `page` knows, in a stable form; anything else is a
    located error (a saved link must open the page it was made on)."""
    known = PAGE_PARAMETERS.get(page)
    if known is None:
        raise DomainError(
            "invalid",
            _("Unknown page %(page)s.") % {"page": page},
            field="page",
            status=422,
        )
    pairs = parse_qsl(query.lstrip("?"), keep_blank_values=False)
    kept = []
    for name, value in pairs:
        if name in IGNORED_PARAMETERS:
            continue
        if name not in known:
            raise DomainError(
                "unknown_parameter",
                _("The page does not know the filter %(name)s.") % {"name": name[:40]},
                field="query",
                status=422,
            )
        kept.append((name, value.strip()))
    normalized = urlencode([(name, value) for name, value in kept if value])
    if len(normalized) > SAVED_VIEW_QUERY_MAX:
        raise DomainError(
            "too_long",
            _("The filters are too long to save (at most %(max)s characters).")
            % {"max": SAVED_VIEW_QUERY_MAX},
            field="query",
            status=422,
        )
    return normalized


@transaction.atomic
def saved_view_create(
    *, actor: User, page: str, name: str, query: str = "", is_shared: bool = False
) -> SavedView:
    """Save `query` (a list page's filters and sort) as `actor`'s view `name` of `page`."""
    name = (name or "").strip()
    if not name:
        raise DomainError("required", _("Name the view."), field="name", status=422)
    if len(name) > SavedView._meta.get_field("name").max_length:  # type: ignore[operator]
        raise DomainError("too_long", _("The name is too long."), field="name", status=422)
    normalized = _saved_view_query(page, query or "")
    if SavedView.objects.filter(owner=actor, page=page, name=name).exists():
        raise DomainError(
            "duplicate",
            _("You already have a view named %(name)s on this page.") % {"name": name},
            field="name",
            status=409,
        )
    view = SavedView.objects.create(
        org_id=actor.org_id,
        owner=actor,
        page=page,
        name=name,
        query=normalized,
        is_shared=is_shared,
    )
    audit.record(
        actor=actor,
        verb="create",
        target=view,
        changes={
            "page": [None, page],
            "name": [None, name],
            "query": [None, normalized],
            "is_shared": [None, is_shared],
        },
    )
    return view


@transaction.atomic
def saved_view_delete(*, actor: User, view_id: int) -> None:
    """Delete one of `actor`'s own views. Someone else's — shared with them or not — is not
    found: only its owner removes a view."""
    view = SavedView.objects.select_for_update().filter(pk=view_id, owner=actor).first()
    if view is None:
        raise NotFound(_("Saved view"))
    audit.record(
        actor=actor,
        verb="delete",
        target=view,
        changes={"name": [view.name, None], "query": [view.query, None]},
    )
    view.delete()
