from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    RETAIL = "retail", _("Retail")
    FINANCE = "finance", pgettext_lazy("industry", "Finance")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    TECHNOLOGY = "technology", _("Technology")
    LOGISTICS = "logistics", _("Logistics")
    ENERGY = "energy", _("Energy")
    GOVERNMENT = "government", _("Government")
    OTHER = "other", _("Other")


class CompanySize(models.TextChoices):
    MICRO = "micro", _("1–9 employees")
    SMALL = "small", _("10–99 employees")
    MEDIUM = "medium", _("100–999 employees")
    LARGE = "large", _("1,000–9,999 employees")
    ENTERPRISE = "enterprise", _("10,000+ employees")


class Source(models.TextChoices):
    WEBSITE = "website", _("Website")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event / trade show")
    COLD_CALL = "cold_call", _("Cold call")
    PARTNER = "partner", _("Partner")
    ADVERTISING = "advertising", _("Advertising")
    SOCIAL = "social", _("Social media")
    OTHER = "other", _("Other")


class LifecycleStage(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    OPPORTUNITY = "opportunity", _("Opportunity")
    CUSTOMER = "customer", _("Customer")
    CHURNED = "churned", _("Churned")
    PARTNER = "partner", _("Partner")
