"""Leads, the rules that assign them, and the pool they return to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dealbook.core.models import TenantModel
from dealbook.leads.enums import LeadStatus


class AssignmentRule(TenantModel):
    """When a new lead matches (region, source), give it to the next rep of `team` in turn.

    Rules are tried in `order`; blank conditions match anything. A rule with a region is a
    territory rule; round-robin within the team keeps the load even.
    """

    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    region = models.CharField(_("region"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True)
    team = models.ForeignKey("org.Team", on_delete=models.CASCADE, related_name="+")
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Lead(TenantModel):
    """A possible customer not yet qualified. No owner means it sits in the pool."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    company = models.CharField(_("company"), max_length=200, blank=True)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_normalized = models.CharField(max_length=40, blank=True, editable=False)
    email = models.CharField(_("email"), max_length=200, blank=True)
    email_normalized = models.CharField(max_length=200, blank=True, editable=False)
    source = models.CharField(_("source"), max_length=20, blank=True)
    region = models.CharField(_("region"), max_length=60, blank=True)
    industry = models.CharField(_("industry"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    description = models.TextField(_("description"), blank=True)
    unqualified_reason = models.CharField(_("reason not qualified"), max_length=300, blank=True)
    assigned_by_rule = models.ForeignKey(
        AssignmentRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    converted_account = models.ForeignKey(
        "customers.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="converted_leads",
    )
    converted_contact = models.ForeignKey(
        "customers.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="converted_leads",
    )
    converted_deal = models.ForeignKey(
        "pipeline.Deal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="converted_leads",
    )
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed from the pool"), null=True, blank=True)
    released_at = models.DateTimeField(_("returned to the pool"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["org", "owner", "status", "-updated_at"]),
            models.Index(fields=["org", "status", "-created_at"]),
            models.Index(fields=["org", "email_normalized"]),
            models.Index(fields=["org", "phone_normalized"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.company}" if self.company else self.name
