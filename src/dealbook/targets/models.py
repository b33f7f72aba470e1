"""SMART targets: what is measured (metric), for whom (scope), how much, by when (period)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dealbook.core.models import TenantModel
from dealbook.targets.enums import LEAVE_NOTE_MAX, MetricKey, PeriodKind, ScopeKind, TargetStatus
from dealbook.targets.recommend import working_days


class Target(TenantModel):
    """A figure to reach for one metric, one subject (a person, a team's subtree or the whole
    company) and one fiscal period. Its SMART parts: the metric and scope (specific), the
    metric's definition (measurable), `achievability` (the check's verdict and figures),
    `relevant_note` (the strategy it serves) and the period (time-bound).

    Amounts are Decimal in the organisation's currency for money metrics, whole numbers
    (stored the same way) for counts. Draft → approved (by the manager above the subject)
    → locked; `parent` is the target it was cascaded from.
    """

    metric = models.CharField(_("metric"), max_length=30, choices=MetricKey.choices)
    scope = models.CharField(_("scope"), max_length=10, choices=ScopeKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("person"),
    )
    team = models.ForeignKey(
        "org.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("team"),
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("day after the last"))
    amount = models.DecimalField(_("target"), max_digits=18, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=TargetStatus.choices, default=TargetStatus.DRAFT
    )
    relevant_note = models.TextField(_("strategy it serves"), blank=True)
    achievability = models.JSONField(_("achievability check"), default=dict, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("cascaded from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        indexes = [
            models.Index(fields=["org", "period_kind", "start_date", "metric"]),
            models.Index(fields=["org", "user", "metric", "start_date"]),
            models.Index(fields=["org", "team", "metric", "start_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="target_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="target_period_not_empty"
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope=ScopeKind.PERSON, user__isnull=False, team__isnull=True)
                    | Q(scope=ScopeKind.TEAM, user__isnull=True, team__isnull=False)
                    | Q(scope=ScopeKind.COMPANY, user__isnull=True, team__isnull=True)
                ),
                name="target_subject_matches_scope",
            ),
            models.UniqueConstraint(
                fields=["org", "metric", "user", "period_kind", "start_date"],
                condition=Q(scope=ScopeKind.PERSON),
                name="target_unique_person_period",
            ),
            models.UniqueConstraint(
                fields=["org", "metric", "team", "period_kind", "start_date"],
                condition=Q(scope=ScopeKind.TEAM),
                name="target_unique_team_period",
            ),
            models.UniqueConstraint(
                fields=["org", "metric", "period_kind", "start_date"],
                condition=Q(scope=ScopeKind.COMPANY),
                name="target_unique_company_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.scope} {self.start_date}: {self.amount}"

    @property
    def subject_id(self) -> int | None:
        return self.user_id if self.scope == ScopeKind.PERSON else self.team_id


class TargetMilestone(models.Model):
    """A target reached 50, 90 or 100 % of its figure: recorded once (the notification
    record until there is a notification centre), by the idempotent milestone job."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="milestones")
    threshold = models.PositiveSmallIntegerField(_("per cent reached"))
    reached_at = models.DateTimeField(_("noticed at"))
    actual = models.DecimalField(_("actual when noticed"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("target milestone")
        verbose_name_plural = _("target milestones")
        ordering = ["target", "threshold"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "threshold"], name="target_milestone_unique_threshold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.threshold}%"


class PlannedLeave(TenantModel):
    """Days a person will not sell (holiday, training, parental leave): capacity for the
    recommendation and for cascading by capacity counts their working days away."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="planned_leave",
        verbose_name=_("person"),
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=LEAVE_NOTE_MAX, blank=True)

    class Meta:
        verbose_name = _("planned leave")
        verbose_name_plural = _("planned leave")
        ordering = ["user", "start_date"]
        indexes = [models.Index(fields=["org", "user", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="planned_leave_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.start_date}–{self.end_date}"

    @property
    def working_days(self) -> int:
        """Its Monday-to-Friday days: what capacity takes away (within the period planned)."""
        return working_days(self.start_date, self.end_date)
