"""Configuration writes: pipelines and their stages (admins); products, competitors and lost
reasons (admins and executives)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from dealbook.core import audit
from dealbook.core.errors import DomainError, PermissionDenied
from dealbook.core.writes import apply_changes, check_version, lock
from dealbook.org.models import Organization, User
from dealbook.pipeline import policies, selectors
from dealbook.pipeline.enums import RequirableField, StageKind
from dealbook.pipeline.models import (
    Competitor,
    Deal,
    LostReason,
    Pipeline,
    Product,
    Stage,
)
from dealbook.pipeline.services._common import (
    MAX_STAGE_ORDER,
    STAGE_FIELDS,
    STAGE_ORDER_STEP,
    _currency,
    _invalid,
    _minor,
    _probability,
    _text,
)

# --- pipelines and stages (configuration) ----------------------------------------------


@dataclass(frozen=True)
class StageSpec:
    name: str
    probability: int
    kind: str = StageKind.OPEN
    required_fields: tuple[str, ...] = ()


def default_stage_specs() -> list[StageSpec]:
    """The stages a new organisation starts with."""
    return [
        StageSpec(_("Qualification"), 10),
        StageSpec(_("Needs analysis"), 20, required_fields=(RequirableField.EXPECTED_CLOSE_DATE,)),
        StageSpec(
            _("Proposal"), 50, required_fields=(RequirableField.AMOUNT, RequirableField.CONTACTS)
        ),
        StageSpec(
            _("Negotiation"),
            75,
            required_fields=(RequirableField.AMOUNT, RequirableField.EXPECTED_CLOSE_DATE),
        ),
        StageSpec(_("Won"), 100, kind=StageKind.WON),
        StageSpec(
            _("Lost"), 0, kind=StageKind.LOST, required_fields=(RequirableField.LOST_REASON,)
        ),
    ]


def _stage_values(
    *, name: Any, kind: Any, probability: Any, required_fields: Any
) -> dict[str, Any]:
    if kind not in StageKind.values:
        raise _invalid("kind", _("Unknown stage kind %(kind)s.") % {"kind": kind})
    fields = list(dict.fromkeys(required_fields or ()))
    unknown = [field for field in fields if field not in RequirableField.values]
    if unknown:
        raise _invalid("required_fields", _("Unknown field %(field)s.") % {"field": unknown[0]})
    if RequirableField.LOST_REASON in fields and kind != StageKind.LOST:
        raise _invalid("required_fields", _("Only a lost stage can require a lost reason."))
    return {
        "name": _text(name, field="name", max_length=120, required=True),
        "kind": str(kind),
        "probability": _probability(probability),
        "required_fields": [str(field) for field in fields],
    }


def _pipeline_create(
    *,
    actor: User | None,
    org: Organization,
    name: str,
    is_default: bool,
    stages: Sequence[StageSpec],
) -> Pipeline:
    name = _text(name, field="name", max_length=120, required=True)
    if Pipeline.objects.filter(org=org, name=name).exists():
        raise DomainError(
            "duplicate",
            _("A pipeline named %(name)s exists.") % {"name": name},
            field="name",
            status=409,
        )
    has_default = Pipeline.objects.filter(org=org, is_default=True).exists()
    make_default = is_default or not has_default
    if make_default and has_default:
        Pipeline.objects.filter(org=org, is_default=True).update(is_default=False)
    last_order = Pipeline.objects.filter(org=org).aggregate(last=Max("order"))["last"]
    pipeline = Pipeline.objects.create(
        org=org,
        name=name,
        is_default=make_default,
        order=0 if last_order is None else last_order + 1,
    )
    created = []
    for position, spec in enumerate(stages, start=1):
        values = _stage_values(
            name=spec.name,
            kind=spec.kind,
            probability=spec.probability,
            required_fields=spec.required_fields,
        )
        Stage.objects.create(
            org=org, pipeline=pipeline, order=position * STAGE_ORDER_STEP, **values
        )
        created.append({"order": position * STAGE_ORDER_STEP, **values})
    audit.record(
        actor=actor,
        verb="create",
        target=pipeline,
        changes={
            "name": [None, name],
            "is_default": [None, make_default],
            "stages": [None, created],
        },
    )
    return pipeline


@transaction.atomic
def pipeline_create_default(
    *, actor: User | None, org: Organization, name: str = "Sales"
) -> Pipeline:
    """The standard six-stage pipeline (Qualification … Won / Lost). `actor` None = the system
    (organisation set-up, the demo loader); otherwise an admin of `org`. Becomes the default
    pipeline when the organisation has none."""
    if actor is not None:
        policies.check_can_configure_pipelines(actor)
        if actor.org_id != org.pk:
            raise PermissionDenied(_("You can only configure your own organisation."))
    return _pipeline_create(
        actor=actor, org=org, name=name, is_default=False, stages=default_stage_specs()
    )


@transaction.atomic
def pipeline_create(
    *, actor: User, name: str, is_default: bool = False, stages: Sequence[StageSpec] | None = None
) -> Pipeline:
    """A new pipeline of the actor's organisation (admins); without `stages`, the standard ones."""
    policies.check_can_configure_pipelines(actor)
    org = Organization.objects.get(pk=actor.org_id)
    specs = default_stage_specs() if stages is None else stages
    return _pipeline_create(actor=actor, org=org, name=name, is_default=is_default, stages=specs)


def _raise_if_order_taken(pipeline_id: int, order: int, exclude_id: int | None = None) -> None:
    taken = Stage.objects.filter(pipeline_id=pipeline_id, order=order)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise DomainError(
            "duplicate",
            _("Another stage has order %(order)s.") % {"order": order},
            field="order",
            status=409,
        )


def _order(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_STAGE_ORDER:
        raise _invalid(
            "order", _("Must be a whole number from 0 to %(max)s.") % {"max": MAX_STAGE_ORDER}
        )
    return value


@transaction.atomic
def stage_create(
    *,
    actor: User,
    pipeline_id: int,
    name: str,
    probability: int = 10,
    kind: str = StageKind.OPEN,
    order: int | None = None,
    required_fields: Sequence[str] = (),
) -> Stage:
    """Add a stage to a pipeline (admins). Without `order` it goes last."""
    policies.check_can_configure_pipelines(actor)
    selectors.pipeline_get(actor=actor, pipeline_id=pipeline_id)
    pipeline = lock(Pipeline.objects.filter(org_id=actor.org_id), pipeline_id, _("Pipeline"))
    values = _stage_values(
        name=name, kind=kind, probability=probability, required_fields=required_fields
    )
    if order is None:
        last = Stage.objects.filter(pipeline=pipeline).aggregate(last=Max("order"))["last"] or 0
        order = last + STAGE_ORDER_STEP
    order = _order(order)
    _raise_if_order_taken(pipeline.pk, order)
    stage = Stage.objects.create(org_id=actor.org_id, pipeline=pipeline, order=order, **values)
    changes = {
        key: [None, value]
        for key, value in {"pipeline_id": pipeline.pk, "order": order, **values}.items()
    }
    audit.record(actor=actor, verb="create", target=stage, changes=changes)
    return stage


@transaction.atomic
def stage_update(*, actor: User, stage_id: int, version: int, values: dict[str, Any]) -> Stage:
    """Change a stage's name, order, kind, probability or required fields (admins)."""
    policies.check_can_configure_pipelines(actor)
    unknown = sorted(set(values) - STAGE_FIELDS)
    if unknown:
        raise _invalid(
            unknown[0], _("Unknown field %(field)s.") % {"field": unknown[0]}, "unknown_field"
        )
    selectors.stage_get(actor=actor, stage_id=stage_id)
    stage = lock(Stage.objects.filter(org_id=actor.org_id), stage_id, _("Stage"))
    check_version(stage, version)
    merged = {
        "name": values.get("name", stage.name),
        "kind": values.get("kind", stage.kind),
        "probability": values.get("probability", stage.probability),
        "required_fields": values.get("required_fields", stage.required_fields),
    }
    cleaned = _stage_values(**merged)
    if "order" in values:
        cleaned["order"] = _order(values["order"])
        _raise_if_order_taken(stage.pipeline_id, cleaned["order"], exclude_id=stage.pk)
    if cleaned["kind"] != stage.kind and Deal.objects.filter(stage=stage).exists():
        raise DomainError(
            "stage_in_use",
            _("Deals are in this stage; move them before changing its kind."),
            field="kind",
            status=409,
        )
    apply_changes(stage, actor=actor, values={key: cleaned[key] for key in values})
    return stage


# --- catalog: products, competitors, lost reasons ------------------------------------------


def _raise_if_name_taken(model: type[Any], org_id: int, name: str) -> None:
    if model.objects.filter(org_id=org_id, name=name).exists():
        raise DomainError(
            "duplicate",
            _("A %(what)s named %(name)s exists.")
            % {"what": model._meta.verbose_name, "name": name},
            field="name",
            status=409,
        )


@transaction.atomic
def product_create(
    *,
    actor: User,
    name: str,
    sku: str = "",
    unit_price: Decimal = Decimal(0),
    currency: str | None = None,
) -> Product:
    policies.check_can_configure_catalog(actor)
    name = _text(name, field="name", max_length=200, required=True)
    _raise_if_name_taken(Product, actor.org_id, name)
    if currency is None:
        currency = Organization.objects.values_list("currency", flat=True).get(pk=actor.org_id)
    currency = _currency(currency)
    values = {
        "name": name,
        "sku": _text(sku, field="sku", max_length=60),
        "unit_price_minor": _minor(unit_price, currency, field="unit_price"),
        "currency": currency,
    }
    product = Product.objects.create(org_id=actor.org_id, **values)
    audit.record(
        actor=actor,
        verb="create",
        target=product,
        changes={k: [None, v] for k, v in values.items()},
    )
    return product


@transaction.atomic
def competitor_create(*, actor: User, name: str) -> Competitor:
    policies.check_can_configure_catalog(actor)
    name = _text(name, field="name", max_length=120, required=True)
    _raise_if_name_taken(Competitor, actor.org_id, name)
    competitor = Competitor.objects.create(org_id=actor.org_id, name=name)
    audit.record(actor=actor, verb="create", target=competitor, changes={"name": [None, name]})
    return competitor


@transaction.atomic
def lost_reason_create(*, actor: User, name: str) -> LostReason:
    policies.check_can_configure_catalog(actor)
    name = _text(name, field="name", max_length=120, required=True)
    _raise_if_name_taken(LostReason, actor.org_id, name)
    reason = LostReason.objects.create(org_id=actor.org_id, name=name)
    audit.record(actor=actor, verb="create", target=reason, changes={"name": [None, name]})
    return reason
