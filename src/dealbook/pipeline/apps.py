from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "dealbook.pipeline"
    label = "pipeline"
    verbose_name = _("Pipeline")

    def ready(self) -> None:
        from dealbook.org import sharing
        from dealbook.pipeline import selectors

        sharing.register(
            "deal", lambda actor, pk: selectors.deal_get_for_change(actor=actor, deal_id=pk)
        )
