"""Writes of pipelines, stages, deals and their line items: validated, policy-checked,
atomic, audited once. Deals change stage through one path, which records the history.

Callers use `from dealbook.pipeline import services` and `services.deal_create(...)`.
"""

from dealbook.pipeline.services._common import DealFacts
from dealbook.pipeline.services.configuration import (
    StageSpec,
    competitor_create,
    default_stage_specs,
    lost_reason_create,
    pipeline_create,
    pipeline_create_default,
    product_create,
    stage_create,
    stage_update,
)
from dealbook.pipeline.services.deals import (
    deal_create,
    deal_delete,
    deal_lose,
    deal_move_to_stage,
    deal_update,
    deal_win,
)
from dealbook.pipeline.services.line_items import (
    deal_line_item_add,
    deal_line_item_remove,
    deal_line_item_update,
    line_amount_minor,
)

__all__ = [
    "DealFacts",
    "StageSpec",
    "competitor_create",
    "deal_create",
    "deal_delete",
    "deal_line_item_add",
    "deal_line_item_remove",
    "deal_line_item_update",
    "deal_lose",
    "deal_move_to_stage",
    "deal_update",
    "deal_win",
    "default_stage_specs",
    "line_amount_minor",
    "lost_reason_create",
    "pipeline_create",
    "pipeline_create_default",
    "product_create",
    "stage_create",
    "stage_update",
]
