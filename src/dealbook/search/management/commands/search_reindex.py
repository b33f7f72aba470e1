"""`dealbook search_reindex [--org ID]`: rebuild the search index from the records."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dealbook.org.models import Organization
from dealbook.search import index


class Command(BaseCommand):
    help = _(
        "Rebuild the search index from the records, for every organisation or one. Safe to "
        "re-run: the same records give the same entries."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--org", type=int, default=None, help=_("Rebuild only this organisation (its id).")
        )

    def handle(self, *args, **options) -> None:
        org_id = options["org"]
        if org_id is not None and not Organization.objects.filter(pk=org_id).exists():
            raise CommandError(_("No organisation has the id %(org)s.") % {"org": org_id})
        done = index.reindex(org_id=org_id, report=self.stdout.write)
        self.stdout.write(
            _("search index: %(entries)s entries for %(orgs)s organisations in %(seconds).1f s")
            % {"entries": f"{done.entries:,}", "orgs": done.orgs, "seconds": done.seconds}
        )
