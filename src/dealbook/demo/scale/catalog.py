"""The demo's catalog (pipelines, stages, products, competitors, lost reasons) as plain ids,
plus the tags and assignment rules — the small tables, made through the ORM."""

from __future__ import annotations

from dataclasses import dataclass

from dealbook.customers.models import Tag
from dealbook.demo import names
from dealbook.demo.catalog import Flow, create_catalog
from dealbook.demo.leads import RULES
from dealbook.demo.scale.people import SalesOrg
from dealbook.leads.models import AssignmentRule


@dataclass(frozen=True)
class StageRef:
    id: int
    order: int
    kind: str
    probability: int


@dataclass(frozen=True)
class FlowRefs:
    pipeline: int
    open: tuple[StageRef, ...]
    won: StageRef
    lost: StageRef


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    price_minor: int
    kind: str  # license / addon_seat / flat / days


@dataclass(frozen=True)
class CatalogRefs:
    sales: FlowRefs
    renewals: FlowRefs
    products: dict[str, Product]  # by SKU
    competitors: tuple[int, ...]
    lost_reasons: tuple[tuple[int, str], ...]  # (id, name), in names.LOST_REASONS order
    tags: dict[str, int]
    rules: tuple[tuple[int, str, str], ...]  # (id, region, team), in RULES order


def create_catalog_refs(sales_org: SalesOrg) -> CatalogRefs:
    org = sales_org.org
    catalog = create_catalog(org)
    tags = Tag.objects.bulk_create([Tag(org=org, name=name) for name in names.TAGS])
    rules = AssignmentRule.objects.bulk_create(
        [
            AssignmentRule(
                org=org, name=name, order=order, region=region, team=sales_org.teams[team]
            )
            for order, (name, region, team) in enumerate(RULES, start=1)
        ]
    )
    return CatalogRefs(
        sales=_flow(catalog.sales),
        renewals=_flow(catalog.renewals),
        products={
            sku: Product(
                id=catalog.products[sku].pk,
                name=catalog.products[sku].name,
                price_minor=catalog.products[sku].unit_price_minor,
                kind=kind,
            )
            for _name, sku, _price, kind in names.PRODUCTS
        },
        competitors=tuple(c.pk for c in catalog.competitors),
        lost_reasons=tuple((r.pk, r.name) for r in catalog.lost_reasons),
        tags={tag.name: tag.pk for tag in tags},
        rules=tuple(
            (rule.pk, region, team) for rule, (_n, region, team) in zip(rules, RULES, strict=True)
        ),
    )


def _flow(flow: Flow) -> FlowRefs:
    def ref(stage) -> StageRef:
        return StageRef(stage.pk, stage.order, stage.kind, stage.probability)

    return FlowRefs(
        pipeline=flow.pipeline.pk,
        open=tuple(ref(s) for s in flow.open_stages),
        won=ref(flow.won),
        lost=ref(flow.lost),
    )
