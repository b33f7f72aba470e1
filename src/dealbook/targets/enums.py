import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from dealbook.targets.periods import PeriodKind

__all__ = ["MetricKey", "MetricUnit", "PeriodKind", "ScopeKind", "TargetStatus"]


class MetricKey(models.TextChoices):
    REVENUE_WON = "revenue_won", _("Revenue won")
    DEALS_WON = "deals_won", _("Deals won")
    NEW_CUSTOMERS_WON = "new_customers_won", _("New customers won")
    AVERAGE_DEAL_SIZE = "average_deal_size", _("Average deal size")
    ACTIVITIES_CALLS = "activities_calls", _("Calls")
    ACTIVITIES_VISITS = "activities_visits", _("Customer visits")
    ACTIVITIES_MEETINGS = "activities_meetings", _("Meetings")
    PAYMENT_COLLECTED = "payment_collected", _("Payment collected")


class MetricUnit(models.TextChoices):
    MONEY = "money", _("Money")
    COUNT = "count", _("Count")


class ScopeKind(models.TextChoices):
    PERSON = "person", _("Person")
    TEAM = "team", _("Team")
    COMPANY = "company", _("Company")


class TargetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    LOCKED = "locked", _("Locked")


# Milestones of attainment (per cent of the target) that are recorded once each.
MILESTONE_THRESHOLDS = (50, 90, 100)

# Planned leave: one span is at most a year (a longer absence is entered as several spans),
# its days fall in these years, and its note is short.
LEAVE_MAX_DAYS = 366
LEAVE_EARLIEST = dt.date(2000, 1, 1)
LEAVE_LATEST = dt.date(2199, 12, 31)
LEAVE_NOTE_MAX = 200
