"""Reads of accounts and contacts, already scoped to what the actor may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils import timezone
from django.utils.translation import gettext as _

from dealbook.core.errors import DomainError, NotFound
from dealbook.core.text import fold, normalize_email, normalize_name, normalize_phone
from dealbook.customers import policies
from dealbook.customers.models import Account, Contact
from dealbook.org.models import User
from dealbook.org.policies import Access, Entity, can_use_pool, read_access
from dealbook.org.visibility import VisibleById, by_owners, owned_q, scoped

# Accounts never contacted count as the longest without contact, on both engines (SQLite puts
# NULLs first in ascending order, PostgreSQL last).
ACCOUNT_SORTS: dict[str, str | OrderBy] = {
    "name": "name_normalized",
    "-name": "-name_normalized",
    "updated_at": "updated_at",
    "-updated_at": "-updated_at",
    "created_at": "created_at",
    "-created_at": "-created_at",
    "last_activity_at": F("last_activity_at").asc(nulls_first=True),
    "-last_activity_at": F("last_activity_at").desc(nulls_last=True),
}
CONTACT_SORTS = {
    "name": "name_normalized",
    "-name": "-name_normalized",
    "-updated_at": "-updated_at",
    "updated_at": "updated_at",
}


@dataclass(frozen=True)
class AccountFilters:
    q: str = ""
    owner_id: int | None = None
    industry: str = ""
    region: str = ""
    size: str = ""
    source: str = ""
    lifecycle_stage: str = ""
    tag: str = ""
    idle_days: int | None = None  # no activity for at least this many days, or never


def visible_accounts(*, actor: User) -> QuerySet[Account]:
    return scoped(Account.objects.all(), actor).filter(owned_q(actor, Entity.ACCOUNT))


def account_list(
    *, actor: User, filters: AccountFilters | None = None, sort: str = "-updated_at"
) -> QuerySet[Account]:
    filters = filters or AccountFilters()
    qs = visible_accounts(actor=actor).select_related("owner").prefetch_related("tags")
    if filters.q:
        folded = fold(filters.q)
        phone = normalize_phone(filters.q)
        match = Q(name_normalized__contains=normalize_name(filters.q) or folded) | Q(
            name__icontains=filters.q
        )
        if len(phone) >= 4:
            match |= Q(phone_normalized__contains=phone)
        qs = qs.filter(match)
    for name in ("owner_id", "industry", "region", "size", "source", "lifecycle_stage"):
        value = getattr(filters, name)
        if value not in (None, ""):
            qs = qs.filter(**{name: value})
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag)
    if filters.idle_days is not None:
        since = timezone.now() - dt.timedelta(days=filters.idle_days)
        qs = qs.filter(Q(last_activity_at__lt=since) | Q(last_activity_at__isnull=True))
    return qs.order_by(ACCOUNT_SORTS.get(sort, "-updated_at"), "-id")


_account_by_id = VisibleById(lambda actor: visible_accounts(actor=actor), Entity.ACCOUNT)


def visible_account(*, actor: User, account_id: int) -> Account | None:
    """The account if the actor may see it (None otherwise), without its parents: what a
    write that names an account checks first. A prepared read (a deal's creation)."""
    found = _account_by_id(actor, account_id)
    return found[0] if found else None


def account_get(*, actor: User, account_id: int) -> Account:
    account = (
        visible_accounts(actor=actor)
        .select_related("owner")
        .prefetch_related("tags")
        .filter(pk=account_id)
        .first()
    )
    if account is None:
        raise NotFound(_("Account"))
    return account


def account_get_for_change(*, actor: User, account_id: int) -> Account:
    """A visible account the actor may change (403 when visible but read-only)."""
    account = account_get(actor=actor, account_id=account_id)
    policies.check_can_change_account(actor)
    return account


def pool_account_list(*, actor: User, q: str = "") -> QuerySet[Account]:
    """Accounts in the pool (no owner): reps and managers browse them to claim."""
    if not (actor.is_org_wide or can_use_pool(actor.role)):
        return Account.objects.none()
    qs = scoped(Account.objects.filter(owner__isnull=True), actor).prefetch_related("tags")
    if q:
        qs = qs.filter(Q(name_normalized__contains=normalize_name(q)) | Q(name__icontains=q))
    return qs.order_by("-released_at", "-id")


@dataclass(frozen=True)
class DuplicateMatch:
    id: int
    name: str
    matched_on: str
    owner_name: str
    is_visible: bool


def account_duplicates(
    *, actor: User, name: str = "", phone: str = "", exclude_id: int | None = None
) -> list[DuplicateMatch]:
    """Accounts in the actor's organisation that look like the same company.

    Matches are reported even when the actor cannot open them (so nobody creates a second
    copy of a colleague's customer), but only their name and owner are revealed.
    """
    name_key, phone_key = normalize_name(name), normalize_phone(phone)
    match = Q(pk__in=[])
    if name_key:
        match |= Q(name_normalized=name_key)
    if len(phone_key) >= 6:
        match |= Q(phone_normalized=phone_key)
    qs = scoped(Account.objects.filter(match).select_related("owner"), actor)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    visible_ids = set(visible_accounts(actor=actor).filter(match).values_list("pk", flat=True))
    return [
        DuplicateMatch(
            id=account.pk,
            name=account.name,
            matched_on="name" if name_key and account.name_normalized == name_key else "phone",
            owner_name=str(account.owner) if account.owner else "",
            is_visible=account.pk in visible_ids,
        )
        for account in qs[:10]
    ]


@dataclass(frozen=True)
class ContactFilters:
    q: str = ""
    account_id: int | None = None
    owner_id: int | None = None  # the owner of the contact's account
    is_primary: bool | None = None


def accounts_of(*, org_id: int, owners: frozenset[int] | list[int] | None) -> QuerySet[Account]:
    """Accounts of `owners` as `org.visibility.owner_scope` computed them for the actor
    (None: every owner): visible by ownership, for the actor's own and team lists."""
    return by_owners(Account.objects.all(), org_id, owners)


def visible_contacts(
    *, actor: User, account_id: int | None = None, row_by_row: bool = False
) -> QuerySet[Contact]:
    """Contacts follow their account. With `account_id`, only that account's contacts — the
    parent check then looks at that one account, not at every account the actor sees.

    `row_by_row` checks each contact's account with a correlated EXISTS instead of listing
    every visible account first (tens of thousands of ids for a manager of 40 reps): the
    same rows, cheaper for a caller that looks at a few hundred candidates (search)."""
    qs = scoped(Contact.objects.all(), actor)
    accounts = visible_accounts(actor=actor)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
        accounts = accounts.filter(pk=account_id)
    access = read_access(actor.role, Entity.CONTACT)
    if access is Access.ALL:
        return qs
    if access is Access.NONE:
        return qs.none()
    if row_by_row:
        return qs.filter(Exists(accounts.filter(pk=OuterRef("account_id"))))
    return qs.filter(account__in=accounts.values("pk"))


def contact_list(
    *, actor: User, filters: ContactFilters | None = None, sort: str = "name"
) -> QuerySet[Contact]:
    filters = filters or ContactFilters()
    qs = visible_contacts(actor=actor).select_related("account", "account__owner")
    if filters.account_id:
        qs = qs.filter(account_id=filters.account_id)
    if filters.owner_id:
        qs = qs.filter(account__owner_id=filters.owner_id)
    if filters.is_primary is not None:
        qs = qs.filter(is_primary=filters.is_primary)
    if filters.q:
        match = Q(name_normalized__contains=normalize_name(filters.q)) | Q(
            name__icontains=filters.q
        )
        match |= Q(email_normalized__contains=normalize_email(filters.q))
        phone = normalize_phone(filters.q)
        if len(phone) >= 4:
            match |= Q(phone_normalized__contains=phone)
        qs = qs.filter(match)
    return qs.order_by(CONTACT_SORTS.get(sort, "name_normalized"), "id")


def contact_get(*, actor: User, contact_id: int) -> Contact:
    contact = (
        visible_contacts(actor=actor)
        .select_related("account", "account__owner")
        .filter(pk=contact_id)
        .first()
    )
    if contact is None:
        raise NotFound(_("Contact"))
    return contact


def contact_get_for_change(*, actor: User, contact_id: int) -> Contact:
    contact = contact_get(actor=actor, contact_id=contact_id)
    policies.check_can_change_contact(actor)
    return contact


def contact_duplicates(
    *, actor: User, email: str = "", phone: str = "", exclude_id: int | None = None
) -> list[Contact]:
    email_key, phone_key = normalize_email(email), normalize_phone(phone)
    match = Q(pk__in=[])
    if email_key:
        match |= Q(email_normalized=email_key)
    if len(phone_key) >= 6:
        match |= Q(phone_normalized=phone_key)
    qs = scoped(Contact.objects.filter(match), actor)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return list(qs[:10])


# --- merging two accounts --------------------------------------------------------------------

# Fields a merge copies from the duplicate where the survivor's are blank.
MERGE_FILLED_FIELDS = (
    "industry",
    "region",
    "size",
    "source",
    "phone",
    "website",
    "address",
    "description",
)


def account_references() -> list[tuple[type[Model], str]]:
    """Every foreign key that points at Account, in any installed app (what a merge moves)."""
    return [
        (rel.related_model, rel.field.name)  # type: ignore[misc]
        for rel in Account._meta.related_objects
        if rel.one_to_many or rel.one_to_one
    ]


@dataclass(frozen=True)
class MergeMove:
    label: str
    count: int


@dataclass(frozen=True)
class MergePreview:
    """What merging `duplicate` into `survivor` would do, before it is done."""

    survivor: Account
    duplicate: Account
    moves: list[MergeMove]  # every kind of record that moves, with how many
    filled: list[str]  # survivor's blank fields the duplicate's values would fill
    tags_added: list[str]


def account_merge_preview(*, actor: User, survivor_id: int, duplicate_id: int) -> MergePreview:
    """The preview of `account_merge`, checked the same way: both accounts visible (404
    otherwise), the actor's role may merge (403), an account is not merged into itself."""
    account_get(actor=actor, account_id=survivor_id)
    policies.check_can_merge(actor)
    if survivor_id == duplicate_id:
        raise DomainError(
            "invalid",
            _("An account cannot be merged into itself."),
            field="duplicate_id",
            status=422,
        )
    survivor = account_get_for_change(actor=actor, account_id=survivor_id)
    try:
        duplicate = account_get_for_change(actor=actor, account_id=duplicate_id)
    except NotFound:
        raise NotFound(_("Account"), field="duplicate_id") from None
    moves = [
        MergeMove(
            label=str(model._meta.verbose_name_plural),
            count=model._default_manager.filter(**{field: duplicate}).count(),
        )
        for model, field in account_references()
    ]
    survivor_tags = {tag.name for tag in survivor.tags.all()}
    return MergePreview(
        survivor=survivor,
        duplicate=duplicate,
        moves=moves,
        filled=[
            name
            for name in MERGE_FILLED_FIELDS
            if not getattr(survivor, name) and getattr(duplicate, name)
        ],
        tags_added=sorted(
            tag.name for tag in duplicate.tags.all() if tag.name not in survivor_tags
        ),
    )
