"""Pipelines, stages as data, deals with line items, and the stage history."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dealbook.core.models import TenantModel
from dealbook.core.money import from_minor
from dealbook.pipeline.enums import DealStatus, StageKind


def weighted_minor(amount_minor: int, probability: int) -> int:
    """Amount × probability, rounded half-up to a whole minor unit (the one definition)."""
    weighted = Decimal(amount_minor) * probability / 100
    return int(weighted.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class Pipeline(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    is_default = models.BooleanField(_("default"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="pipeline_unique_name")]

    def __str__(self) -> str:
        return self.name


class Stage(TenantModel):
    """A step of a pipeline. Order, kind, probability and required fields are data."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(
        _("kind"), max_length=10, choices=StageKind.choices, default=StageKind.OPEN
    )
    probability = models.PositiveSmallIntegerField(_("default probability (%)"), default=10)
    required_fields = models.JSONField(_("fields required to enter"), default=list, blank=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "order"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "order"], name="stage_unique_order"),
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="stage_probability_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Product(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    sku = models.CharField(_("SKU"), max_length=60, blank=True)
    unit_price_minor = models.BigIntegerField(_("list price (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="product_unique_name")]

    def __str__(self) -> str:
        return self.name


class Competitor(TenantModel):
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="competitor_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class LostReason(TenantModel):
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="lostreason_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Deal(TenantModel):
    """An opportunity. Amount in minor units + currency; status follows the stage's kind."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="deals")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    name = models.CharField(_("name"), max_length=200)
    amount_minor = models.BigIntegerField(_("amount (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=10)
    status = models.CharField(
        _("status"), max_length=10, choices=DealStatus.choices, default=DealStatus.OPEN
    )
    source = models.CharField(_("source"), max_length=20, blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    contacts = models.ManyToManyField("customers.Contact", blank=True, related_name="deals")
    competitors = models.ManyToManyField(Competitor, blank=True, related_name="deals")
    lost_reason = models.ForeignKey(
        LostReason, null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    lost_note = models.TextField(_("lost note"), blank=True)
    stage_entered_at = models.DateTimeField(_("in stage since"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["org", "owner", "status", "-amount_minor"]),
            # A stage's deals by amount; with the owner (and the id, which SQLite's indexes
            # hold anyway), a manager's board walks a column from the biggest deal down,
            # testing each owner in the index alone: no row read for the deals passed over.
            models.Index(
                fields=["org", "stage", "-amount_minor", "owner", "id"],
                name="deal_stage_amount_owner",
            ),
            models.Index(fields=["org", "pipeline", "stage", "owner"]),
            models.Index(fields=["org", "account"]),
            models.Index(fields=["org", "status", "expected_close_date"]),
            models.Index(fields=["org", "-updated_at"]),
            # Lists of one owner's deals in a stage by amount; a team's cards per stage.
            models.Index(fields=["org", "owner", "stage", "-amount_minor"]),
            # My / my team's open deals by expected close (closing this month, slipped),
            # the first ten by date and amount picked from the index alone.
            models.Index(
                fields=["org", "owner", "status", "expected_close_date", "amount_minor"],
                name="deal_owner_close_amount",
            ),
            # Won / lost columns of the board: deals closed in a period, owner by owner,
            # summed from the index alone.
            models.Index(
                fields=[
                    *("org", "owner", "closed_at"),
                    *("pipeline", "stage", "currency", "amount_minor", "probability"),
                ],
                name="deal_owner_closed_cover",
            ),
            # A column of won or lost deals, the latest closed first, for a team's board
            # (the owner tested in the index): closed deals only, so creating and moving open
            # deals never touch it.
            models.Index(
                fields=["org", "stage", "-closed_at", "owner", "id"],
                name="deal_stage_closed",
                condition=models.Q(closed_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="deal_probability_range"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_minor__gte=0), name="deal_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def amount(self) -> Decimal:
        return from_minor(self.amount_minor, self.currency)

    @property
    def weighted_amount_minor(self) -> int:
        return weighted_minor(self.amount_minor, self.probability)

    @property
    def weighted_amount(self) -> Decimal:
        return from_minor(self.weighted_amount_minor, self.currency)

    @property
    def contact_ids(self) -> list[int]:
        """The contacts' ids in order (attached by the selectors when they read the deal)."""
        if "_contact_ids" in self.__dict__:
            return self.__dict__["_contact_ids"]
        return sorted(contact.pk for contact in self.contacts.all())

    @property
    def sorted_competitors(self) -> list:
        """The competitors by name (attached by the selectors when they read the deal)."""
        if "_competitors" in self.__dict__:
            return self.__dict__["_competitors"]
        return sorted(
            self.competitors.all(), key=lambda competitor: (competitor.name, competitor.pk)
        )


class DealLineItem(TenantModel):
    """A product on a deal. Its amount is quantity × unit price less discount, in minor units."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="line_items")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, default=Decimal(1)
    )
    unit_price_minor = models.BigIntegerField(_("unit price (minor units)"))
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))

    class Meta:
        verbose_name = _("line item")
        verbose_name_plural = _("line items")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class StageHistory(TenantModel):
    """One stay of a deal in a stage: when it entered, when it left, how long it stayed."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_history")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered"))
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    duration_seconds = models.BigIntegerField(_("duration (seconds)"), null=True, blank=True)

    class Meta:
        verbose_name = _("stage history")
        verbose_name_plural = _("stage history entries")
        ordering = ["entered_at", "id"]
        indexes = [
            models.Index(fields=["deal", "entered_at"]),
            models.Index(fields=["org", "stage", "entered_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id} → {self.stage_id}"


class OpenDealTotal(models.Model):
    """Open deals summed per (pipeline, stage, owner, currency): the board's open columns and
    the team pipeline on the home page read these few rows instead of every open deal.

    Kept by database triggers on pipeline_deal (see pipeline/rollup.py), so every path that
    writes deals — services, bulk loads, merges, raw SQL — keeps it right in the same
    transaction. Never written by application code. Rows whose count falls to zero stay.
    """

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(_("currency"), max_length=3)
    deal_count = models.BigIntegerField(_("deals"), default=0)
    amount_sum = models.BigIntegerField(_("amount (minor units)"), default=0)
    weighted_sum = models.BigIntegerField(_("amount × probability (minor units × %)"), default=0)

    class Meta:
        verbose_name = _("open deal total")
        verbose_name_plural = _("open deal totals")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "pipeline", "stage", "owner", "currency"],
                name="open_deal_total_unique_key",
            )
        ]
        indexes = [
            # A team's rows (board, home): owner by owner, the sums read from the index alone.
            models.Index(
                fields=[
                    *("org", "owner", "pipeline", "stage", "currency"),
                    *("deal_count", "amount_sum", "weighted_sum"),
                ],
                name="open_deal_total_owner_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage_id}/{self.owner_id}/{self.currency}: {self.deal_count}"


class ClosedDealMonthTotal(models.Model):
    """Won and lost deals summed per (pipeline, stage, owner, currency, month of closing in
    the organisation's time zone): the board's won and lost columns over whole months read
    these rows instead of every deal closed in the period.

    Kept by database triggers on pipeline_deal like OpenDealTotal (pipeline/rollup.py);
    never written by application code. Rows whose count falls to zero stay.
    """

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(_("currency"), max_length=3)
    month = models.DateField(_("month"))  # its first day
    deal_count = models.BigIntegerField(_("deals"), default=0)
    amount_sum = models.BigIntegerField(_("amount (minor units)"), default=0)
    weighted_sum = models.BigIntegerField(_("amount × probability (minor units × %)"), default=0)

    class Meta:
        verbose_name = _("closed deal month total")
        verbose_name_plural = _("closed deal month totals")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "pipeline", "stage", "owner", "currency", "month"],
                name="closed_deal_month_unique_key",
            )
        ]
        indexes = [
            # A team's months (the board's won and lost columns): the sums from the index alone.
            models.Index(
                fields=[
                    *("org", "owner", "month", "pipeline", "stage", "currency"),
                    *("deal_count", "amount_sum", "weighted_sum"),
                ],
                name="closed_month_owner_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage_id}/{self.owner_id}/{self.currency}/{self.month}: {self.deal_count}"
