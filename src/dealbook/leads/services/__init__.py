"""Writes of leads, the pool and assignment rules: validated, policy-checked, atomic, audited.

Callers use `from dealbook.leads import services` and `services.lead_create(...)`.
"""

from dealbook.leads.services.conversion import ConversionResult, lead_convert
from dealbook.leads.services.leads import (
    lead_create,
    lead_delete,
    lead_disqualify,
    lead_qualify,
    lead_touch,
    lead_update,
)
from dealbook.leads.services.pool import (
    ReclaimResult,
    lead_claim,
    lead_release,
    leads_due_for_reclaim,
    reclaim_idle_records,
)
from dealbook.leads.services.rules import (
    assignment_rule_create,
    assignment_rule_delete,
    assignment_rule_update,
)

__all__ = [
    "ConversionResult",
    "ReclaimResult",
    "assignment_rule_create",
    "assignment_rule_delete",
    "assignment_rule_update",
    "lead_claim",
    "lead_convert",
    "lead_create",
    "lead_delete",
    "lead_disqualify",
    "lead_qualify",
    "lead_release",
    "lead_touch",
    "lead_update",
    "leads_due_for_reclaim",
    "reclaim_idle_records",
]
