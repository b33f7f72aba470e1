from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    EXECUTIVE = "executive", _("Executive")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    SALES_REP = "sales_rep", _("Sales rep")
    FINANCE = "finance", _("Finance")
    MARKETING = "marketing", _("Marketing")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    PRODUCT = "product", _("Product")


SALES_ROLES = frozenset({Role.SALES_MANAGER, Role.SALES_REP})
ORG_WIDE_ROLES = frozenset({Role.ADMIN, Role.EXECUTIVE})
