"""Accounts (companies) and their contacts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dealbook.core.models import TenantModel
from dealbook.customers.enums import CompanySize, Industry, LifecycleStage, Source


class Tag(TenantModel):
    name = models.CharField(_("name"), max_length=40)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class Account(TenantModel):
    """A customer company. No owner means it sits in the pool (公海) for reps to claim."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    name_normalized = models.CharField(max_length=200, editable=False)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    region = models.CharField(_("region"), max_length=60, blank=True)
    size = models.CharField(_("size"), max_length=20, choices=CompanySize.choices, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=LifecycleStage.choices,
        default=LifecycleStage.PROSPECT,
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_normalized = models.CharField(max_length=40, blank=True, editable=False)
    website = models.CharField(_("website"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="accounts")
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed from the pool"), null=True, blank=True)
    released_at = models.DateTimeField(_("returned to the pool"), null=True, blank=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [
            models.Index(fields=["org", "owner", "-updated_at"]),
            models.Index(fields=["org", "name_normalized"]),
            models.Index(fields=["org", "phone_normalized"]),
            models.Index(fields=["org", "owner", "last_activity_at"]),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(TenantModel):
    """A person at an account. Visibility follows the account."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(_("name"), max_length=120)
    name_normalized = models.CharField(max_length=120, editable=False)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_normalized = models.CharField(max_length=40, blank=True, editable=False)
    email = models.CharField(_("email"), max_length=200, blank=True)
    email_normalized = models.CharField(max_length=200, blank=True, editable=False)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["org", "account"]),
            models.Index(fields=["org", "email_normalized"]),
            models.Index(fields=["org", "phone_normalized"]),
            models.Index(fields=["org", "name_normalized"]),
        ]

    def __str__(self) -> str:
        return self.name
