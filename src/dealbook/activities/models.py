"""Calls, meetings, visits, emails, notes and tasks, linked to the records they concern."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dealbook.activities.enums import ActivityKind
from dealbook.core.models import TenantModel


class Activity(TenantModel):
    """One interaction or to-do. Visible to its owner's scope and to whoever sees its parent.

    `account` is always filled when any parent is (a deal's or contact's account), so the
    account timeline is one indexed query.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("type"), max_length=10, choices=ActivityKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("notes"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("when"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    remind_at = models.DateTimeField(_("reminder"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    account = models.ForeignKey(
        "customers.Account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    deal = models.ForeignKey(
        "pipeline.Deal", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["org", "owner", "completed_at", "due_at"]),
            # A team's week, counted per owner and kind from the index alone.
            models.Index(fields=["org", "owner", "completed_at", "kind"]),
            models.Index(fields=["org", "account", "-occurred_at"]),
            models.Index(fields=["org", "deal", "-occurred_at"]),
            models.Index(fields=["org", "lead", "-occurred_at"]),
            models.Index(fields=["org", "kind", "-occurred_at"]),
            models.Index(fields=["org", "remind_at"]),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None


class _CompletedCount(models.Model):
    """Completed activities of an owner and kind in a period of the organisation's local
    calendar: a roll-up kept by database triggers on activities_activity (see
    activities/rollup.py), so every path that writes an activity keeps it right in the same
    transaction. Never written by application code; rebuild it (rollup.install) if an
    organisation's time zone changes."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=10, choices=ActivityKind.choices)
    activity_count = models.BigIntegerField(_("activities"), default=0)

    class Meta:
        abstract = True


class ActivityDayCount(_CompletedCount):
    """Completed activities counted per (owner, local day, kind): day-level periods (targets)
    read a few rows per rep instead of every activity they completed. `day` is the day of
    `completed_at` in the organisation's time zone."""

    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("completed activities per day")
        verbose_name_plural = _("completed activities per day")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "owner", "day", "kind"], name="activity_day_count_unique_key"
            )
        ]
        # A period summed from the index alone (the count included): a third of the time of
        # reading each row of the table at 5M activities.
        indexes = [
            models.Index(
                fields=["org", "owner", "day", "kind", "activity_count"],
                name="activity_day_count_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.day}/{self.kind}: {self.activity_count}"


class ActivityWeekCount(_CompletedCount):
    """Completed activities counted per (owner, local week, kind): the team's week on the
    home page reads one row per rep and kind. `week` is the Monday of the day of
    `completed_at` in the organisation's time zone."""

    week = models.DateField(_("week"))

    class Meta:
        verbose_name = _("completed activities per week")
        verbose_name_plural = _("completed activities per week")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "owner", "week", "kind"], name="activity_week_count_unique_key"
            )
        ]
        # The team's week on the home page read from the index alone (the count included):
        # a quarter of the time of reading each row's count from the table (40 reps, `large`).
        indexes = [
            models.Index(
                fields=["org", "owner", "week", "kind", "activity_count"],
                name="activity_week_count_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.week}/{self.kind}: {self.activity_count}"
