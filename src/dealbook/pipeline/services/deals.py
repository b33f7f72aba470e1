"""Deal writes. Deals change stage through one path (`_move`), which records the history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, F, Func, IntegerField, ProtectedError, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from dealbook.core import audit, events
from dealbook.core.errors import DomainError, NotFound
from dealbook.core.prepared import Prepared
from dealbook.core.writes import apply_changes, check_version, lock
from dealbook.customers import selectors as customer_selectors
from dealbook.customers.services import resolve_owner
from dealbook.org.models import User
from dealbook.org.selectors import org_settings
from dealbook.pipeline import policies, selectors
from dealbook.pipeline.enums import DealStatus, RequirableField, StageKind
from dealbook.pipeline.events import DealLost, DealStageChanged, DealWon
from dealbook.pipeline.models import (
    Deal,
    Pipeline,
    Stage,
    StageHistory,
)
from dealbook.pipeline.services._common import (
    DEAL_UPDATE_FIELDS,
    MOVE_ONLY_FIELDS,
    MOVE_VALUE_FIELDS,
    DealFacts,
    _competitors,
    _contacts,
    _currency,
    _invalid,
    _lost_reason,
    _minor,
    _probability,
    _raise_if_requirements_missing,
    _text,
)

# --- deals ---------------------------------------------------------------------------------


def _account_for_deal(actor: User, account_id: int) -> Any:
    account = customer_selectors.visible_account(actor=actor, account_id=account_id)
    if account is None:
        raise _invalid(
            "account_id", _("Account %(id)s does not exist.") % {"id": account_id}, "does_not_exist"
        )
    return account


def _pipeline_for_deal(actor: User, pipeline_id: int | None) -> Pipeline:
    pipelines = Pipeline.objects.filter(org_id=actor.org_id)
    if pipeline_id is None:
        pipeline = pipelines.filter(is_default=True).first()
        if pipeline is None:
            raise _invalid(
                "pipeline_id",
                _("The organisation has no default pipeline; choose one."),
                "required",
            )
        return pipeline
    pipeline = pipelines.filter(pk=pipeline_id).first()
    if pipeline is None:
        raise _invalid(
            "pipeline_id",
            _("Pipeline %(id)s does not exist.") % {"id": pipeline_id},
            "does_not_exist",
        )
    return pipeline


def _start_stage_query(
    shape: tuple[bool, bool], *, org_id: int, pipeline_id: int = 0, stage_id: int = 0
) -> QuerySet[Stage]:
    default_pipeline, first_open = shape
    stages = Stage.objects.filter(org_id=org_id, pipeline__org_id=org_id).select_related("pipeline")
    if default_pipeline:
        stages = stages.filter(pipeline__is_default=True)
    else:
        stages = stages.filter(pipeline_id=pipeline_id)
    if first_open:
        return stages.filter(kind=StageKind.OPEN).order_by("order", "pk")[:1]
    return stages.filter(pk=stage_id)[:1]


_start_stage = Prepared(_start_stage_query)


def _pipeline_and_stage(actor: User, pipeline_id: int | None, stage_id: int | None) -> Stage:
    """The stage a new deal starts in (`stage_id`, else the pipeline's first open stage) with
    its pipeline (`pipeline_id`, else the organisation's default) as `stage.pipeline`: one
    prepared read. When there is none, the two reads below say which of the two is missing."""
    ids = {"pipeline_id": pipeline_id, "stage_id": stage_id}
    found = _start_stage(
        (pipeline_id is None, stage_id is None),
        org_id=actor.org_id or 0,
        **{name: value for name, value in ids.items() if value is not None},
    )
    if found:
        return found[0]
    return _stage_for_deal(_pipeline_for_deal(actor, pipeline_id), stage_id)


def _stage_for_deal(pipeline: Pipeline, stage_id: int | None) -> Stage:
    stages = Stage.objects.filter(org_id=pipeline.org_id, pipeline=pipeline)
    if stage_id is None:
        stage = stages.filter(kind=StageKind.OPEN).order_by("order").first()
        if stage is None:
            raise _invalid("stage_id", _("The pipeline has no open stage."), "required")
        return stage
    stage = stages.filter(pk=stage_id).first()
    if stage is None:
        raise _invalid(
            "stage_id",
            _("Stage %(id)s is not a stage of pipeline %(pipeline)s.")
            % {"id": stage_id, "pipeline": pipeline.name},
            "stage_not_in_pipeline",
        )
    return stage


def _closing_events(deal: Deal) -> None:
    """DealWon / DealLost for a deal that has just become closed."""
    if deal.closed_at is None:
        return
    if deal.status == DealStatus.WON:
        events.publish(
            DealWon(
                org_id=deal.org_id,
                deal_id=deal.pk,
                owner_id=deal.owner_id,
                amount_minor=deal.amount_minor,
                currency=deal.currency,
                closed_at=deal.closed_at,
            )
        )
    elif deal.status == DealStatus.LOST:
        events.publish(
            DealLost(
                org_id=deal.org_id,
                deal_id=deal.pk,
                owner_id=deal.owner_id,
                lost_reason_id=deal.lost_reason_id,
                amount_minor=deal.amount_minor,
                currency=deal.currency,
                closed_at=deal.closed_at,
            )
        )


def _deleted_meanwhile() -> DomainError:
    """A write whose foreign keys refused it at commit: a record it refers to (read before the
    write transaction) was deleted in between. Nothing of it was written."""
    return DomainError(
        "conflict",
        _("A record this deal refers to was deleted meanwhile. Try again."),
        status=409,
    )


def deal_create(
    *,
    actor: User,
    account_id: int,
    name: str,
    owner_id: int | None = None,
    pipeline_id: int | None = None,
    stage_id: int | None = None,
    amount: Decimal = Decimal(0),
    currency: str | None = None,
    expected_close_date: dt.date | None = None,
    probability: int | None = None,
    source: str = "",
    next_step: str = "",
    description: str = "",
    contact_ids: Iterable[int] = (),
    competitor_ids: Iterable[int] = (),
) -> Deal:
    """Open a deal on a visible account, owned by `owner_id` (default: the actor).

    Defaults: the organisation's default pipeline, its first open stage, that stage's
    probability, the organisation's currency. The initial stage's required fields apply.

    The checks read before the write transaction opens (inside the caller's, if any): on
    SQLite that transaction holds the database's one write lock, which every other writer
    waits for. The writes then go in one short transaction; a record they refer to that is
    deleted in between (the account, a contact) refuses the whole write with 409.
    """
    policies.check_can_create_deal(actor)
    name = _text(name, field="name", max_length=200, required=True)
    account = _account_for_deal(actor, account_id)
    owner = resolve_owner(actor=actor, owner_id=actor.pk if owner_id is None else owner_id)
    assert owner is not None  # resolve_owner returns None only for owner_id None
    stage = _pipeline_and_stage(actor, pipeline_id, stage_id)
    pipeline = stage.pipeline
    currency = _currency(org_settings(actor=actor).currency if currency is None else currency)
    amount_minor = _minor(amount, currency, field="amount")
    probability = stage.probability if probability is None else _probability(probability)
    contacts = _contacts(actor, contact_ids)
    competitors = _competitors(actor, competitor_ids)
    next_step = _text(next_step, field="next_step", max_length=300)
    values: dict[str, Any] = {
        "name": name,
        "amount_minor": amount_minor,
        "currency": currency,
        "expected_close_date": expected_close_date,
        "probability": probability,
        "source": _text(source, field="source", max_length=20),
        "next_step": next_step,
        "description": _text(description, field="description", max_length=20_000),
    }
    facts = DealFacts(
        amount_minor=amount_minor,
        expected_close_date=expected_close_date,
        contact_count=len(contacts),
        line_item_count=0,
        competitor_count=len(competitors),
        next_step=next_step,
        lost_reason_id=None,
    )
    _raise_if_requirements_missing(stage, facts)
    try:
        with transaction.atomic():
            return _deal_insert(
                actor=actor,
                account=account,
                owner=owner,
                pipeline=pipeline,
                stage=stage,
                values=values,
                contacts=contacts,
                competitors=competitors,
            )
    except IntegrityError:
        raise _deleted_meanwhile() from None


def _deal_insert(
    *,
    actor: User,
    account: Any,
    owner: User,
    pipeline: Pipeline,
    stage: Stage,
    values: dict[str, Any],
    contacts: list[Any],
    competitors: list[Any],
) -> Deal:
    """deal_create's writes: the deal, its contacts and competitors, history and audit."""
    now = timezone.now()
    deal = Deal.objects.create(
        org_id=actor.org_id,
        owner=owner,
        account=account,
        pipeline=pipeline,
        stage=stage,
        status=stage.kind,
        stage_entered_at=now,
        closed_at=None if stage.kind == StageKind.OPEN else now,
        **values,
    )
    if contacts:  # a new deal has none: nothing to compare with or remove
        deal.contacts.add(*contacts)
    if competitors:
        deal.competitors.add(*competitors)
    StageHistory.objects.create(
        org_id=actor.org_id, deal=deal, stage=stage, changed_by=actor, entered_at=now
    )
    changes = {
        key: [None, audit.jsonable(value)]
        for key, value in values.items()
        if value not in ("", None)
    }
    changes.update(
        {
            "account_id": [None, account.pk],
            "owner_id": [None, owner.pk],
            "pipeline_id": [None, pipeline.pk],
            "stage": [None, stage.pk],
            "status": [None, deal.status],
        }
    )
    if contacts:
        changes["contact_ids"] = [None, sorted(c.pk for c in contacts)]
    if competitors:
        changes["competitor_ids"] = [None, sorted(c.pk for c in competitors)]
    audit.record(actor=actor, verb="create", target=deal, changes=changes)
    _closing_events(deal)
    return deal


def _lock_deal(actor: User, deal_id: int) -> Deal:
    return lock(Deal.objects.filter(org_id=actor.org_id), deal_id, _("Deal"))


def _locked_deal_query(shape: tuple, *, org_id: int, deal_id: int) -> QuerySet[Deal]:
    return (
        Deal.objects.filter(org_id=org_id, pk=deal_id)
        .select_related(*shape)
        .select_for_update(of=("self",))
    )


# A move's lock read, prepared (core.prepared): on SQLite it runs inside the write turn.
_locked_deal = Prepared(_locked_deal_query)


def _lock_deal_to_move(actor: User, deal_id: int) -> Deal:
    """The deal, locked, with its stage and lost reason (the audit trail's old values)."""
    rows = _locked_deal(("stage", "lost_reason"), org_id=actor.org_id or 0, deal_id=deal_id)
    if not rows:
        raise NotFound(_("Deal"))
    return rows[0]


def _set_m2m(
    deal: Deal, name: str, audit_key: str, objects: list[Any], extra: dict[str, list[Any]]
) -> list[int]:
    """Replace a many-to-many set; note [old ids, new ids] in `extra` when it changed."""
    manager = getattr(deal, name)
    old_ids = sorted(manager.values_list("pk", flat=True))
    new_ids = sorted(o.pk for o in objects)
    if old_ids != new_ids:
        manager.set(objects)
        extra[audit_key] = [old_ids, new_ids]
    return new_ids


@transaction.atomic
def deal_update(*, actor: User, deal_id: int, version: int, values: dict[str, Any]) -> Deal:
    """Change a deal's fields. Stage and status change only through deal_move_to_stage."""
    moving = sorted(set(values) & MOVE_ONLY_FIELDS)
    if moving:
        raise _invalid(
            moving[0],
            _("Move deals between stages with POST /deals/%(id)s/move (or /win, /lose).")
            % {"id": deal_id},
            "use_move",
        )
    unknown = sorted(set(values) - DEAL_UPDATE_FIELDS)
    if unknown:
        raise _invalid(
            unknown[0], _("Unknown field %(field)s.") % {"field": unknown[0]}, "unknown_field"
        )
    selectors.deal_get_for_change(actor=actor, deal_id=deal_id)
    deal = _lock_deal(actor, deal_id)
    check_version(deal, version)
    changed: dict[str, Any] = {}
    if "name" in values:
        changed["name"] = _text(values["name"], field="name", max_length=200, required=True)
    if "owner_id" in values and values["owner_id"] != deal.owner_id:
        if values["owner_id"] is None:
            raise _invalid("owner_id", _("A deal needs an owner."), "required")
        owner = resolve_owner(actor=actor, owner_id=values["owner_id"])
        changed["owner_id"] = owner.pk if owner else None
    line_item_count = deal.line_items.count()
    currency = _currency(values.get("currency", deal.currency))
    if line_item_count and "amount" in values:
        raise _invalid(
            "amount", _("The amount is the sum of the line items; change those instead.")
        )
    if line_item_count and currency != deal.currency:
        raise _invalid("currency", _("Remove the line items before changing the currency."))
    if "amount" in values or currency != deal.currency:
        changed["amount_minor"] = _minor(
            values.get("amount", deal.amount), currency, field="amount"
        )
        changed["currency"] = currency
    if "expected_close_date" in values:
        changed["expected_close_date"] = values["expected_close_date"]
    if "probability" in values:
        changed["probability"] = _probability(values["probability"])
    for field, max_length in (("source", 20), ("next_step", 300), ("description", 20_000)):
        if field in values:
            changed[field] = _text(values[field], field=field, max_length=max_length)
    extra: dict[str, list[Any]] = {}
    contact_count = competitor_count = None
    if "contact_ids" in values:
        contact_count = len(
            _set_m2m(
                deal, "contacts", "contact_ids", _contacts(actor, values["contact_ids"]), extra
            )
        )
    if "competitor_ids" in values:
        competitors = _competitors(actor, values["competitor_ids"])
        competitor_count = len(_set_m2m(deal, "competitors", "competitor_ids", competitors, extra))
    touched = {
        RequirableField.AMOUNT: "amount_minor" in changed,
        RequirableField.EXPECTED_CLOSE_DATE: "expected_close_date" in changed,
        RequirableField.CONTACTS: contact_count is not None,
        RequirableField.COMPETITORS: competitor_count is not None,
        RequirableField.NEXT_STEP: "next_step" in changed,
    }
    facts = DealFacts(
        amount_minor=changed.get("amount_minor", deal.amount_minor),
        expected_close_date=changed.get("expected_close_date", deal.expected_close_date),
        contact_count=contact_count if contact_count is not None else 1,
        line_item_count=line_item_count,
        competitor_count=competitor_count if competitor_count is not None else 1,
        next_step=changed.get("next_step", deal.next_step),
        lost_reason_id=deal.lost_reason_id,
    )
    stage = Stage.objects.get(pk=deal.stage_id)
    _raise_if_requirements_missing(
        stage, facts, only={str(field) for field, hit in touched.items() if hit}
    )
    apply_changes(deal, actor=actor, values=changed, extra_audit=extra)
    return deal


_stage_read = Prepared(
    lambda _shape, *, org_id, stage_id: Stage.objects.filter(org_id=org_id, pk=stage_id)
)


def _stage_for_move(deal: Deal, stage_id: int | None, stage_kind: str | None) -> Stage | None:
    """The stage a move names: by id, or the deal's pipeline's first of `stage_kind`. Read
    before the deal is locked; `_target_stage` checks it against the locked deal."""
    if stage_id is not None:
        found = _stage_read((), org_id=deal.org_id, stage_id=stage_id)
        return found[0] if found else None
    kind_stage = (
        Stage.objects.filter(pipeline_id=deal.pipeline_id, kind=stage_kind)
        .order_by("order")
        .first()
    )
    if kind_stage is None:
        raise DomainError(
            "no_such_stage",
            _("This deal's pipeline has no %(kind)s stage.")
            % {"kind": StageKind(stage_kind or StageKind.OPEN).label},
            status=409,
        )
    return kind_stage


def _target_stage(deal: Deal, stage: Stage | None, stage_id: int | None) -> Stage:
    if stage is None or stage.pipeline_id != deal.pipeline_id:
        raise _invalid(
            "stage_id",
            _("Stage %(id)s is not a stage of this deal's pipeline.")
            % {"id": stage_id if stage is None else stage.pk},
            "stage_not_in_pipeline",
        )
    if stage.pk == deal.stage_id:
        raise DomainError(
            "already_in_stage",
            _("The deal is already in stage %(stage)s.") % {"stage": stage.name},
            field="stage_id",
            status=409,
        )
    return stage


class _SecondsSince(Func):
    """Whole seconds from the row's `entered_at` to `now`, none below 0: Python's
    `max(0, int((now - entered_at).total_seconds()))`, computed by the database."""

    output_field = IntegerField()

    def __init__(self, now: dt.datetime) -> None:
        super().__init__(Value(now, output_field=DateTimeField()), F("entered_at"))

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        (now, now_params), (entered, entered_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        params = [*now_params, *entered_params]
        if connection.vendor == "sqlite":  # Django's own exact difference, in microseconds
            return f"MAX(0, django_timestamp_diff({now}, {entered}) / 1000000)", params
        return f"GREATEST(0, FLOOR(EXTRACT(EPOCH FROM ({now} - {entered}))))::integer", params


def _close_stay(deal: Deal, *, now: dt.datetime) -> None:
    """End the deal's current stay in its stage (history rows are the deal's children): one
    UPDATE of the open stay (there is one), its duration computed in the statement."""
    StageHistory.objects.filter(deal=deal, left_at__isnull=True).update(
        left_at=now, duration_seconds=_SecondsSince(now), updated_at=now
    )


def _move(
    *,
    actor: User,
    deal_id: int,
    stage_id: int | None,
    version: int | None,
    values: dict[str, Any] | None,
    verb: str,
    stage_kind: str | None = None,
) -> selectors.DealRow:
    """The one path that moves a deal between stages (by id, or the pipeline's first of a kind).

    Answers with the deal as the actor now sees it — its API row (`deal_row_get`: one
    statement, children included) — read in the move's own transaction (read after it, the
    answer could already show a concurrent writer's next version, and be taken for the one
    this move produced). Whether the actor may change the deal is read before the
    transaction opens (on SQLite it holds the database's one write lock, which every other
    writer waits for); the deal is then locked and its version checked, so a change in between
    refuses the move. A record the move refers to that is deleted in between (a contact, a lost
    reason) refuses it as a whole with 409.
    """
    values = dict(values or {})
    unknown = sorted(set(values) - MOVE_VALUE_FIELDS)
    if unknown:
        raise _invalid(
            unknown[0], _("Unknown field %(field)s.") % {"field": unknown[0]}, "unknown_field"
        )
    checked = selectors.deal_get_for_change(actor=actor, deal_id=deal_id)
    target = _stage_for_move(checked, stage_id, stage_kind)
    try:
        with transaction.atomic():
            _move_locked(
                actor=actor,
                deal_id=deal_id,
                stage_id=stage_id,
                target=target,
                version=version,
                values=values,
                verb=verb,
            )
            return selectors.deal_row_get(actor=actor, deal_id=deal_id)
    except IntegrityError:
        raise _deleted_meanwhile() from None


def _move_locked(
    *,
    actor: User,
    deal_id: int,
    stage_id: int | None,
    target: Stage | None,
    version: int | None,
    values: dict[str, Any],
    verb: str,
) -> Deal:
    """_move's reads and writes under the deal's lock (with its stage: the audit trail names
    the stage it leaves, and the lost reason it drops)."""
    deal = _lock_deal_to_move(actor, deal_id)
    check_version(deal, version)
    stage = _target_stage(deal, target, stage_id)
    if stage.kind != StageKind.LOST:
        for field in ("lost_reason_id", "lost_note"):
            if field in values:
                raise _invalid(field, _("Only a deal moving to a lost stage takes a lost reason."))

    changed: dict[str, Any] = {}
    # Counts only where a rule looks at them (the target stage's requirements, the amount).
    required = set(stage.required_fields)
    line_item_count = (
        deal.line_items.count() if "amount" in values or "line_items" in required else 0
    )
    if "amount" in values:
        if line_item_count:
            raise _invalid(
                "amount", _("The amount is the sum of the line items; change those instead.")
            )
        changed["amount_minor"] = _minor(values["amount"], deal.currency, field="amount")
    if "expected_close_date" in values:
        changed["expected_close_date"] = values["expected_close_date"]
    if "next_step" in values:
        changed["next_step"] = _text(values["next_step"], field="next_step", max_length=300)
    contacts = _contacts(actor, values["contact_ids"]) if "contact_ids" in values else None
    competitors = (
        _competitors(actor, values["competitor_ids"]) if "competitor_ids" in values else None
    )
    lost_reason = deal.lost_reason if deal.status == DealStatus.LOST else None
    if "lost_reason_id" in values:
        lost_reason = _lost_reason(actor, values["lost_reason_id"])
    facts = DealFacts(
        amount_minor=changed.get("amount_minor", deal.amount_minor),
        expected_close_date=changed.get("expected_close_date", deal.expected_close_date),
        contact_count=(
            len(contacts)
            if contacts is not None
            else (deal.contacts.count() if "contacts" in required else 0)
        ),
        line_item_count=line_item_count,
        competitor_count=(
            len(competitors)
            if competitors is not None
            else (deal.competitors.count() if "competitors" in required else 0)
        ),
        next_step=changed.get("next_step", deal.next_step),
        lost_reason_id=lost_reason.pk if lost_reason else None,
    )
    _raise_if_requirements_missing(stage, facts)

    now = timezone.now()
    old_stage_id, old_status = deal.stage_id, deal.status
    _close_stay(deal, now=now)
    StageHistory.objects.create(
        org_id=deal.org_id,
        deal=deal,
        stage=stage,
        from_stage_id=old_stage_id,
        changed_by=actor,
        entered_at=now,
    )
    changed.update(
        {
            "stage": stage,
            "status": stage.kind,
            "probability": stage.probability,
            "stage_entered_at": now,
        }
    )
    if stage.kind == StageKind.OPEN:
        changed.update({"closed_at": None, "lost_reason": None, "lost_note": ""})
    else:
        if stage.kind != old_status:
            changed["closed_at"] = now
        if stage.kind == StageKind.LOST:
            changed["lost_reason"] = lost_reason
            changed["lost_note"] = _text(
                values.get("lost_note", deal.lost_note), field="lost_note", max_length=5000
            )
        else:
            changed.update({"lost_reason": None, "lost_note": ""})
    extra: dict[str, list[Any]] = {}
    if contacts is not None:
        _set_m2m(deal, "contacts", "contact_ids", contacts, extra)
    if competitors is not None:
        _set_m2m(deal, "competitors", "competitor_ids", competitors, extra)
    apply_changes(deal, actor=actor, values=changed, verb=verb, extra_audit=extra)
    events.publish(
        DealStageChanged(
            org_id=deal.org_id,
            deal_id=deal.pk,
            from_stage_id=old_stage_id,
            to_stage_id=stage.pk,
            changed_by_id=actor.pk,
            changed_at=now,
        )
    )
    if deal.status != old_status:
        _closing_events(deal)
    return deal


def deal_move_to_stage(
    *,
    actor: User,
    deal_id: int,
    stage_id: int,
    version: int | None = None,
    values: dict[str, Any] | None = None,
) -> selectors.DealRow:
    """Move a deal to another stage of its pipeline, supplying that stage's required fields
    in `values` if need be (amount, expected_close_date, contact_ids, competitor_ids,
    next_step, lost_reason_id, lost_note). Missing requirements → 422 "stage_requirements"."""
    return _move(
        actor=actor,
        deal_id=deal_id,
        stage_id=stage_id,
        version=version,
        values=values,
        verb="move_stage",
    )


def deal_win(*, actor: User, deal_id: int, version: int | None = None) -> selectors.DealRow:
    """Move the deal to its pipeline's won stage."""
    return _move(
        actor=actor,
        deal_id=deal_id,
        stage_id=None,
        version=version,
        values=None,
        verb="win",
        stage_kind=StageKind.WON,
    )


def deal_lose(
    *,
    actor: User,
    deal_id: int,
    lost_reason_id: int,
    note: str = "",
    competitor_ids: Iterable[int] = (),
    version: int | None = None,
) -> selectors.DealRow:
    """Move the deal to its pipeline's lost stage with a reason (and the competitors it went to)."""
    values: dict[str, Any] = {"lost_reason_id": lost_reason_id, "lost_note": note}
    competitor_ids = list(competitor_ids)
    if competitor_ids:
        values["competitor_ids"] = competitor_ids
    return _move(
        actor=actor,
        deal_id=deal_id,
        stage_id=None,
        version=version,
        values=values,
        verb="lose",
        stage_kind=StageKind.LOST,
    )


@transaction.atomic
def deal_delete(*, actor: User, deal_id: int) -> None:
    """Delete a visible deal, its line items and history (refused while records point at it)."""
    selectors.deal_get(actor=actor, deal_id=deal_id)
    policies.check_can_delete_deal(actor)
    deal = _lock_deal(actor, deal_id)
    audit.record(
        actor=actor,
        verb="delete",
        target=deal,
        changes={"name": [deal.name, None], "amount_minor": [deal.amount_minor, None]},
    )
    deal.contacts.clear()
    deal.competitors.clear()
    try:
        deal.delete()
    except ProtectedError as error:
        names = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
        raise DomainError(
            "has_children",
            _("Other records still point at this deal: %(what)s.") % {"what": ", ".join(names)},
            status=409,
        ) from None
