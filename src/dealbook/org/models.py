"""Organisation, people, teams and sharing: who belongs where, the base of visibility."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from dealbook.core.models import TenantModel
from dealbook.org.enums import ORG_WIDE_ROLES, Role


class Organization(models.Model):
    """A tenant. Every domain row carries one; every query is scoped by it."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year start month"), default=1
    )
    pool_idle_days = models.PositiveIntegerField(
        _("days before idle records return to the pool"), default=30
    )
    pool_claim_limit = models.PositiveIntegerField(_("open claims per rep"), default=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Department(TenantModel):
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Team(TenantModel):
    """A node of the sales team tree. `path` ("/1/4/") makes subtree queries one LIKE."""

    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    manager = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_teams"
    )
    region = models.CharField(_("region"), max_length=60, blank=True)
    path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


def team_ids_on_path(path: str) -> list[int]:
    """The ids of the teams a `Team.path` ("/1/4/") runs through, from the top down to the
    team itself; [] for an empty path."""
    return [int(part) for part in path.strip("/").split("/") if part]


class User(AbstractUser):
    """A person who signs in. Belongs to one organisation, has one role, sits in one team."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="users")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SALES_REP)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_org_wide(self) -> bool:
        return self.role in ORG_WIDE_ROLES


class Share(TenantModel):
    """An explicit grant of one record to a user or a whole team (read and edit)."""

    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="shares"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="shares"
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        indexes = [
            models.Index(fields=["org", "object_type", "user"]),
            models.Index(fields=["org", "object_type", "team"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) ^ models.Q(team__isnull=False),
                name="share_user_xor_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id}"


class ApiToken(TenantModel):
    """A personal API token; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SavedView(TenantModel):
    """A list page's filters and sort, saved by a user under a name; with `is_shared`, the
    owner's team sees it too. `query` holds only parameters the page knows
    (org.saved_views.PAGE_PARAMETERS)."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_views")
    page = models.CharField(_("page"), max_length=20)
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    is_shared = models.BooleanField(_("shared with my team"), default=False)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        indexes = [models.Index(fields=["org", "page", "owner"])]
        constraints = [
            models.UniqueConstraint(fields=["owner", "page", "name"], name="saved_view_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
