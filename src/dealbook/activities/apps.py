from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "dealbook.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from dealbook.activities import selectors
        from dealbook.org import sharing

        sharing.register(
            "activity",
            lambda actor, pk: selectors.activity_get_for_change(actor=actor, activity_id=pk),
        )
