from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "dealbook.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from dealbook.leads import selectors
        from dealbook.org import sharing

        sharing.register(
            "lead", lambda actor, pk: selectors.lead_get_for_change(actor=actor, lead_id=pk)
        )
