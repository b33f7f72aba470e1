from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "dealbook.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from dealbook.customers import selectors
        from dealbook.org import sharing

        sharing.register(
            "account",
            lambda actor, pk: selectors.account_get_for_change(actor=actor, account_id=pk),
        )
