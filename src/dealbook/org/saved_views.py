"""Which list pages can save a view, and the query parameters each of them understands.

A saved view's query is checked against its page's parameters when it is saved, so a saved
link always opens the page it was made on with filters the page knows. The web pages' filter
forms use the same names (tests/web/test_saved_views.py holds the two together).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedViewPage(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts")
    CONTACTS = "contacts", _("Contacts")
    DEALS = "deals", _("Deal list")


PAGE_PARAMETERS: dict[str, frozenset[str]] = {
    SavedViewPage.ACCOUNTS: frozenset(
        {
            "q",
            "owner",
            "industry",
            "lifecycle_stage",
            "size",
            "source",
            "region",
            "tag",
            "idle",
            "sort",
        }
    ),
    SavedViewPage.CONTACTS: frozenset({"q", "account", "owner", "primary", "sort"}),
    SavedViewPage.DEALS: frozenset(
        {"pipeline", "owner", "team", "close_from", "close_to", "stage", "status", "sort"}
    ),
}
# Parameters that move through a list rather than filter it: dropped, not refused.
IGNORED_PARAMETERS = frozenset({"page"})
