"""Writes of accounts and contacts: validated, policy-checked, atomic and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dealbook.core import audit
from dealbook.core.errors import DomainError, FieldError, NotFound, PermissionDenied
from dealbook.core.text import normalize_email, normalize_name, normalize_phone
from dealbook.core.writes import (
    apply_changes,
    check_version,
    creation_changes,
    lock,
    refuse_unknown_fields,
)
from dealbook.customers import policies, selectors
from dealbook.customers.models import Account, Contact, Tag
from dealbook.org.models import Organization, Share, User
from dealbook.org.visibility import can_see_owner

ACCOUNT_FIELDS = frozenset(
    {
        "name",
        "owner_id",
        "industry",
        "region",
        "size",
        "source",
        "lifecycle_stage",
        "phone",
        "website",
        "address",
        "description",
    }
)
CONTACT_FIELDS = frozenset(
    {"account_id", "name", "title", "phone", "email", "wechat", "is_primary", "notes"}
)


def resolve_owner(*, actor: User, owner_id: int | None, field: str = "owner_id") -> User | None:
    """The user `actor` may make owner: self, someone in their subtree, anyone (org-wide roles)."""
    if owner_id is None:
        return None
    if owner_id == actor.pk and actor.is_active:
        return actor  # the usual case: no query
    owner = User.objects.filter(pk=owner_id, org_id=actor.org_id, is_active=True).first()
    if owner is None:
        raise DomainError(
            "does_not_exist",
            _("User %(id)s does not exist.") % {"id": owner_id},
            field=field,
            status=422,
        )
    if not can_see_owner(actor, owner.pk):
        raise PermissionDenied(_("You can only assign records to yourself or people you manage."))
    return owner


def _raise_if_account_duplicate(
    *, actor: User, name: str, phone: str, exclude_id: int | None
) -> None:
    matches = selectors.account_duplicates(
        actor=actor, name=name, phone=phone, exclude_id=exclude_id
    )
    if matches:
        described = ", ".join(
            f"#{m.id} {m.name}" + (f" ({m.owner_name})" if m.owner_name else "") for m in matches
        )
        field = "name" if matches[0].matched_on == "name" else "phone"
        raise DomainError(
            "duplicate",
            _(
                "An account with the same %(field)s exists: %(matches)s. "
                "Open it, merge, or send ignore_duplicates=true."
            )
            % {"field": _(field), "matches": described},
            field=field,
            status=409,
        )


def _tags(org: int, names: list[str]) -> list[Tag]:
    tags = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        tag, _ = Tag.objects.get_or_create(org_id=org, name=name[:40])
        tags.append(tag)
    return tags


def _account_values(values: dict[str, Any]) -> dict[str, Any]:
    """Derived search keys kept in step with the fields they come from."""
    derived = dict(values)
    if "name" in values:
        name = (values["name"] or "").strip()
        if not name:
            raise DomainError("required", _("Name is required."), field="name", status=422)
        derived["name"] = name
        derived["name_normalized"] = normalize_name(name)
    if "phone" in values:
        derived["phone_normalized"] = normalize_phone(values["phone"] or "")
    return derived


@transaction.atomic
def account_create(
    *,
    actor: User,
    name: str,
    owner_id: int | None = None,
    industry: str = "",
    region: str = "",
    size: str = "",
    source: str = "",
    lifecycle_stage: str = "prospect",
    phone: str = "",
    website: str = "",
    address: str = "",
    description: str = "",
    tags: list[str] | None = None,
    ignore_duplicates: bool = False,
    assign_to_self: bool = True,
) -> Account:
    """Create an account owned by `owner_id`.

    Without an owner it belongs to the actor, or with assign_to_self=False it goes to the pool.
    """
    policies.check_can_create_account(actor)
    if owner_id is None and assign_to_self:
        owner_id = actor.pk
    owner = resolve_owner(actor=actor, owner_id=owner_id)
    if not ignore_duplicates:
        _raise_if_account_duplicate(actor=actor, name=name, phone=phone, exclude_id=None)
    values = _account_values(
        {
            "name": name,
            "industry": industry,
            "region": region,
            "size": size,
            "source": source,
            "lifecycle_stage": lifecycle_stage,
            "phone": phone,
            "website": website,
            "address": address,
            "description": description,
        }
    )
    account = Account.objects.create(org_id=actor.org_id, owner=owner, **values)
    tag_objects = _tags(actor.org_id, tags or [])
    account.tags.set(tag_objects)
    changes = creation_changes(values)
    changes["owner_id"] = [None, owner and owner.pk]
    if tag_objects:
        changes["tags"] = [None, sorted(t.name for t in tag_objects)]
    audit.record(actor=actor, verb="create", target=account, changes=changes)
    return account


@transaction.atomic
def account_update(
    *,
    actor: User,
    account_id: int,
    version: int,
    values: dict[str, Any],
    tags: list[str] | None = None,
    ignore_duplicates: bool = False,
) -> Account:
    """Change fields of a visible account; a stale `version` is refused (412)."""
    refuse_unknown_fields(values, ACCOUNT_FIELDS)
    selectors.account_get_for_change(actor=actor, account_id=account_id)
    account = lock(Account.objects.filter(org_id=actor.org_id), account_id, "Account")
    check_version(account, version)
    if "owner_id" in values and values["owner_id"] != account.owner_id:
        owner = resolve_owner(actor=actor, owner_id=values["owner_id"])
        values["owner_id"] = owner and owner.pk
    if not ignore_duplicates and ("name" in values or "phone" in values):
        name_changed = (
            "name" in values and normalize_name(values["name"]) != account.name_normalized
        )
        phone_changed = (
            "phone" in values and normalize_phone(values["phone"]) != account.phone_normalized
        )
        if name_changed or phone_changed:
            _raise_if_account_duplicate(
                actor=actor,
                name=values["name"] if name_changed else "",
                phone=values["phone"] if phone_changed else "",
                exclude_id=account.pk,
            )
    derived = _account_values(values)
    extra: dict[str, list[Any]] = {}
    if tags is not None:
        old_tags = sorted(t.name for t in account.tags.all())
        new_tag_objects = _tags(actor.org_id, tags)
        new_tags = sorted(t.name for t in new_tag_objects)
        if old_tags != new_tags:
            account.tags.set(new_tag_objects)
            extra["tags"] = [old_tags, new_tags]
    changes = apply_changes(account, actor=actor, values=derived, extra_audit=extra)
    if not changes:
        return account
    account.refresh_from_db()
    return account


def _account_refs() -> list[tuple[type[models.Model], str]]:
    """Every foreign key that points at Account, in any installed app."""
    return selectors.account_references()


@transaction.atomic
def account_delete(*, actor: User, account_id: int) -> None:
    account = selectors.account_get(actor=actor, account_id=account_id)
    policies.check_can_delete_account(actor)
    account = lock(Account.objects.filter(org_id=actor.org_id), account_id, "Account")
    for model, field in _account_refs():
        if model._default_manager.filter(**{field: account}).exists():
            raise DomainError(
                "has_children",
                _("The account still has %(children)s; merge it or remove them first.")
                % {"children": model._meta.verbose_name_plural},
                status=409,
            )
    audit.record(actor=actor, verb="delete", target=account, changes={"name": [account.name, None]})
    account.tags.clear()
    account.delete()


@transaction.atomic
def account_merge(*, actor: User, survivor_id: int, duplicate_id: int) -> Account:
    """Fold `duplicate` into `survivor`: every child record moves, blank fields are filled,
    tags are united, shares carried over, the duplicate is deleted. One audit event."""
    selectors.account_get(actor=actor, account_id=survivor_id)
    policies.check_can_merge(actor)
    if survivor_id == duplicate_id:
        raise DomainError(
            "invalid",
            _("An account cannot be merged into itself."),
            field="duplicate_id",
            status=422,
        )
    selectors.account_get_for_change(actor=actor, account_id=survivor_id)
    try:
        selectors.account_get_for_change(actor=actor, account_id=duplicate_id)
    except NotFound:
        raise NotFound(_("Account"), field="duplicate_id") from None
    locked = Account.objects.filter(org_id=actor.org_id)
    survivor = lock(locked, survivor_id, "Account")
    duplicate = lock(locked, duplicate_id, "Account")

    moved: dict[str, int] = {}
    for model, field in _account_refs():
        count = model._default_manager.filter(**{field: duplicate}).update(**{field: survivor})
        if count:
            moved[f"{model._meta.app_label}.{model._meta.model_name}"] = count
    Share.objects.filter(org_id=actor.org_id, object_type="account", object_id=duplicate.pk).update(
        object_id=survivor.pk
    )

    filled = {}
    for name in selectors.MERGE_FILLED_FIELDS:
        if not getattr(survivor, name) and getattr(duplicate, name):
            filled[name] = getattr(duplicate, name)
    if filled:
        for name, value in _account_values(filled).items():
            setattr(survivor, name, value)
    survivor.tags.add(*duplicate.tags.all())
    if duplicate.last_activity_at and (
        survivor.last_activity_at is None or duplicate.last_activity_at > survivor.last_activity_at
    ):
        survivor.last_activity_at = duplicate.last_activity_at
    survivor.version += 1
    survivor.save()
    audit.record(
        actor=actor,
        verb="merge",
        target=survivor,
        changes={
            "merged_account": [
                {"id": duplicate.pk, "name": duplicate.name, "owner_id": duplicate.owner_id},
                None,
            ],
            "moved": [None, moved],
            **{name: [None, value] for name, value in filled.items()},
        },
    )
    duplicate.tags.clear()
    duplicate.delete()
    return survivor


def account_touch(*, account_id: int, at: dt.datetime) -> None:
    """Record that the account was just worked on (drives the pool's idle clock).

    Derived bookkeeping of the activity that was logged (and audited) — not a write of its own.
    """
    Account.objects.filter(pk=account_id).filter(
        models.Q(last_activity_at__isnull=True) | models.Q(last_activity_at__lt=at)
    ).update(last_activity_at=at)


# --- the pool (公海) ---------------------------------------------------------------


@transaction.atomic
def account_claim(*, actor: User, account_id: int) -> Account:
    """Take an unowned account from the pool, within the per-rep limit of open claims."""
    in_pool = selectors.pool_account_list(actor=actor).filter(pk=account_id).exists()
    if not in_pool and not selectors.visible_accounts(actor=actor).filter(pk=account_id).exists():
        raise NotFound(_("Account"))
    policies.check_can_use_pool(actor)
    # Serialise this rep's claims so two at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    org = Organization.objects.get(pk=actor.org_id)
    account = lock(Account.objects.filter(org_id=actor.org_id), account_id, "Account")
    if account.owner_id is not None:
        raise DomainError(
            "not_in_pool", _("This account is not in the pool (someone claimed it)."), status=409
        )
    open_claims = Account.objects.filter(
        org_id=actor.org_id, owner=actor, claimed_at__isnull=False
    ).count()
    if open_claims >= org.pool_claim_limit:
        raise DomainError(
            "claim_limit",
            _("You hold %(count)s claimed accounts, the limit is %(limit)s. Release one first.")
            % {"count": open_claims, "limit": org.pool_claim_limit},
            status=409,
        )
    now = timezone.now()
    apply_changes(
        account, actor=actor, values={"owner_id": actor.pk, "claimed_at": now}, verb="claim"
    )
    return account


@transaction.atomic
def account_release(*, actor: User, account_id: int, reason: str = "") -> Account:
    """Give a visible account back to the pool."""
    selectors.account_get_for_change(actor=actor, account_id=account_id)
    if not actor.is_org_wide:
        policies.check_can_use_pool(actor)
    account = lock(Account.objects.filter(org_id=actor.org_id), account_id, "Account")
    if account.owner_id is None:
        raise DomainError("not_owned", _("This account is already in the pool."), status=409)
    extra = {"reason": [None, reason]} if reason else None
    apply_changes(
        account,
        actor=actor,
        values={"owner_id": None, "claimed_at": None, "released_at": timezone.now()},
        verb="release",
        extra_audit=extra,
    )
    return account


def accounts_due_for_reclaim(*, org: Organization, now: dt.datetime) -> models.QuerySet[Account]:
    """Owned prospects nobody worked on for `pool_idle_days` (customers stay with their owner)."""
    cutoff = now - dt.timedelta(days=org.pool_idle_days)
    idle_since = Coalesce("last_activity_at", "claimed_at", "created_at")
    return (
        Account.objects.filter(org=org, owner__isnull=False)
        .exclude(lifecycle_stage__in=["customer", "partner"])
        .alias(idle_since=idle_since)
        .filter(idle_since__lt=cutoff)
    )


def account_reclaim_one(*, account: Account, now: dt.datetime) -> None:
    """Return one idle account to the pool (the scheduled job's step; actor is the system)."""
    apply_changes(
        account,
        actor=None,
        values={"owner_id": None, "claimed_at": None, "released_at": now},
        verb="reclaim",
    )


# --- contacts ------------------------------------------------------------------------


def _contact_values(values: dict[str, Any]) -> dict[str, Any]:
    derived = dict(values)
    if "name" in values:
        name = (values["name"] or "").strip()
        if not name:
            raise DomainError("required", _("Name is required."), field="name", status=422)
        derived["name"] = name
        derived["name_normalized"] = normalize_name(name)
    if "phone" in values:
        derived["phone_normalized"] = normalize_phone(values["phone"] or "")
    if "email" in values:
        derived["email_normalized"] = normalize_email(values["email"] or "")
    return derived


def _raise_if_contact_duplicate(
    *, actor: User, email: str, phone: str, exclude_id: int | None
) -> None:
    matches = selectors.contact_duplicates(
        actor=actor, email=email, phone=phone, exclude_id=exclude_id
    )
    if matches:
        match = matches[0]
        field = "email" if email and normalize_email(email) == match.email_normalized else "phone"
        raise DomainError(
            "duplicate",
            _(
                "A contact with the same %(field)s exists: #%(id)s %(name)s. "
                "Send ignore_duplicates=true to keep both."
            )
            % {"field": _(field), "id": match.pk, "name": match.name},
            field=field,
            status=409,
            errors=[
                FieldError(
                    field=field,
                    message=_("Same %(field)s as contact #%(id)s.")
                    % {"field": _(field), "id": match.pk},
                    code="duplicate",
                )
            ],
        )


def _account_for_contact(actor: User, account_id: int) -> Account:
    try:
        return selectors.account_get(actor=actor, account_id=account_id)
    except NotFound:
        raise DomainError(
            "does_not_exist",
            _("Account %(id)s does not exist.") % {"id": account_id},
            field="account_id",
            status=422,
        ) from None


@transaction.atomic
def contact_create(
    *,
    actor: User,
    account_id: int,
    name: str,
    title: str = "",
    phone: str = "",
    email: str = "",
    wechat: str = "",
    is_primary: bool = False,
    notes: str = "",
    ignore_duplicates: bool = False,
) -> Contact:
    policies.check_can_change_contact(actor)
    account = _account_for_contact(actor, account_id)
    if not ignore_duplicates:
        _raise_if_contact_duplicate(actor=actor, email=email, phone=phone, exclude_id=None)
    values = _contact_values(
        {
            "name": name,
            "title": title,
            "phone": phone,
            "email": email,
            "wechat": wechat,
            "is_primary": is_primary,
            "notes": notes,
        }
    )
    contact = Contact.objects.create(org_id=actor.org_id, account=account, **values)
    changes = creation_changes(values)
    changes["account_id"] = [None, account.pk]
    audit.record(actor=actor, verb="create", target=contact, changes=changes)
    return contact


@transaction.atomic
def contact_update(
    *,
    actor: User,
    contact_id: int,
    version: int,
    values: dict[str, Any],
    ignore_duplicates: bool = False,
) -> Contact:
    refuse_unknown_fields(values, CONTACT_FIELDS)
    selectors.contact_get_for_change(actor=actor, contact_id=contact_id)
    contact = lock(Contact.objects.filter(org_id=actor.org_id), contact_id, "Contact")
    check_version(contact, version)
    if "account_id" in values and values["account_id"] != contact.account_id:
        _account_for_contact(actor, values["account_id"])
    if not ignore_duplicates:
        email = (
            values.get("email", "")
            if normalize_email(values.get("email", "")) != contact.email_normalized
            else ""
        )
        phone = (
            values.get("phone", "")
            if normalize_phone(values.get("phone", "")) != contact.phone_normalized
            else ""
        )
        if email or phone:
            _raise_if_contact_duplicate(
                actor=actor, email=email, phone=phone, exclude_id=contact.pk
            )
    apply_changes(contact, actor=actor, values=_contact_values(values))
    return contact


@transaction.atomic
def contact_delete(*, actor: User, contact_id: int) -> None:
    selectors.contact_get(actor=actor, contact_id=contact_id)
    policies.check_can_delete_contact(actor)
    contact = lock(Contact.objects.filter(org_id=actor.org_id), contact_id, "Contact")
    audit.record(actor=actor, verb="delete", target=contact, changes={"name": [contact.name, None]})
    contact.delete()
