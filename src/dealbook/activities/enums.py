from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Customer visit")
    EMAIL = "email", _("Email")
    NOTE = "note", _("Note")
    TASK = "task", _("Task")
