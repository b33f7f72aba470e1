from django.db import models
from django.utils.translation import gettext_lazy as _


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class DealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


# Fields a stage can require before a deal may enter it.
class RequirableField(models.TextChoices):
    AMOUNT = "amount", _("Amount")
    EXPECTED_CLOSE_DATE = "expected_close_date", _("Expected close date")
    CONTACTS = "contacts", _("Contacts")
    LINE_ITEMS = "line_items", _("Products")
    COMPETITORS = "competitors", _("Competitors")
    NEXT_STEP = "next_step", _("Next step")
    LOST_REASON = "lost_reason", _("Lost reason")
