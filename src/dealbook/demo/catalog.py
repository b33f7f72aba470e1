"""What Huaxin sells and how: pipelines and stages, products, competitors, lost reasons."""

from __future__ import annotations

from dataclasses import dataclass

from dealbook.demo import names
from dealbook.org.models import Organization
from dealbook.pipeline.enums import StageKind
from dealbook.pipeline.models import Competitor, LostReason, Pipeline, Product, Stage

# name, kind, probability, required fields
SALES_STAGES: tuple[tuple[str, str, int, list[str]], ...] = (
    ("Qualification", StageKind.OPEN, 10, []),
    ("Needs analysis", StageKind.OPEN, 20, ["expected_close_date"]),
    ("Proposal", StageKind.OPEN, 50, ["amount", "contacts"]),
    ("Negotiation", StageKind.OPEN, 75, ["amount", "expected_close_date"]),
    ("Won", StageKind.WON, 100, []),
    ("Lost", StageKind.LOST, 0, ["lost_reason"]),
)
RENEWAL_STAGES: tuple[tuple[str, str, int, list[str]], ...] = (
    ("Renewal due", StageKind.OPEN, 40, []),
    ("Quoted", StageKind.OPEN, 70, ["amount"]),
    ("Renewed", StageKind.WON, 100, []),
    ("Churned", StageKind.LOST, 0, ["lost_reason"]),
)


@dataclass
class Flow:
    """A pipeline with its open stages in order and its won and lost ends."""

    pipeline: Pipeline
    open_stages: list[Stage]
    won: Stage
    lost: Stage


@dataclass
class Catalog:
    sales: Flow
    renewals: Flow
    products: dict[str, Product]  # by SKU
    product_kind: dict[str, str]  # SKU → license / addon_seat / flat / days
    competitors: list[Competitor]
    lost_reasons: list[LostReason]


def create_catalog(org: Organization) -> Catalog:
    pipelines = Pipeline.objects.bulk_create(
        [
            Pipeline(org=org, name="Sales", is_default=True, order=1),
            Pipeline(org=org, name="Renewals", is_default=False, order=2),
        ]
    )
    flows = [
        _create_flow(org, pipeline, stages)
        for pipeline, stages in zip(pipelines, (SALES_STAGES, RENEWAL_STAGES), strict=True)
    ]
    products = Product.objects.bulk_create(
        [
            Product(org=org, name=name, sku=sku, unit_price_minor=price * 100, currency="CNY")
            for name, sku, price, _kind in names.PRODUCTS
        ]
    )
    competitors = Competitor.objects.bulk_create(
        [Competitor(org=org, name=n) for n in names.COMPETITORS]
    )
    reasons = LostReason.objects.bulk_create(
        [LostReason(org=org, name=n) for n, _w in names.LOST_REASONS]
    )
    return Catalog(
        sales=flows[0],
        renewals=flows[1],
        products={p.sku: p for p in products},
        product_kind={sku: kind for _n, sku, _p, kind in names.PRODUCTS},
        competitors=competitors,
        lost_reasons=reasons,
    )


def _create_flow(
    org: Organization, pipeline: Pipeline, rows: tuple[tuple[str, str, int, list[str]], ...]
) -> Flow:
    stages = Stage.objects.bulk_create(
        [
            Stage(
                org=org,
                pipeline=pipeline,
                name=name,
                order=order,
                kind=kind,
                probability=probability,
                required_fields=required,
            )
            for order, (name, kind, probability, required) in enumerate(rows, start=1)
        ]
    )
    return Flow(
        pipeline=pipeline,
        open_stages=[s for s in stages if s.kind == StageKind.OPEN],
        won=next(s for s in stages if s.kind == StageKind.WON),
        lost=next(s for s in stages if s.kind == StageKind.LOST),
    )
