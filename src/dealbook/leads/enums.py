from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")
    CONVERTED = "converted", _("Converted")


OPEN_LEAD_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)

# Which status a lead may move to from each status. Converted is final; "converted" itself
# is reached only through the conversion service.
LEAD_TRANSITIONS: dict[str, frozenset[str]] = {
    LeadStatus.NEW: frozenset(
        {
            LeadStatus.CONTACTED,
            LeadStatus.QUALIFIED,
            LeadStatus.UNQUALIFIED,
            LeadStatus.CONVERTED,
        }
    ),
    LeadStatus.CONTACTED: frozenset(
        {
            LeadStatus.NEW,
            LeadStatus.QUALIFIED,
            LeadStatus.UNQUALIFIED,
            LeadStatus.CONVERTED,
        }
    ),
    LeadStatus.QUALIFIED: frozenset(
        {
            LeadStatus.NEW,
            LeadStatus.CONTACTED,
            LeadStatus.UNQUALIFIED,
            LeadStatus.CONVERTED,
        }
    ),
    LeadStatus.UNQUALIFIED: frozenset({LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED}),
    LeadStatus.CONVERTED: frozenset(),
}


class LeadErrorCode(models.TextChoices):
    DUPLICATE = "duplicate", _("A lead with the same email or phone is open")
    REQUIRED = "required", _("Required")
    UNKNOWN_FIELD = "unknown_field", _("Unknown field")
    DOES_NOT_EXIST = "does_not_exist", _("Referenced record does not exist")
    INVALID_TRANSITION = "invalid_transition", _("Status change not allowed")
    ALREADY_CONVERTED = "already_converted", _("Lead already converted")
    NOT_IN_POOL = "not_in_pool", _("Lead is not in the pool")
    CLAIM_LIMIT = "claim_limit", _("Claim limit reached")
    NOT_OWNED = "not_owned", _("Lead is already in the pool")
