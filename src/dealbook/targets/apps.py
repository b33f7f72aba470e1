from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "dealbook.targets"
    label = "targets"
    verbose_name = _("Targets")

    def ready(self) -> None:
        from dealbook.collaboration import kinds
        from dealbook.targets import notifying, reactions  # noqa: F401 (subscribes)

        kinds.register(notifying.KIND, notifying.wording)
