"""`dealbook target_milestones`: record the 50 / 90 / 100 % milestones targets have reached.

Idempotent: run it as often as you like (cron, or after a deal is won); a milestone is
recorded once per target.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser

from dealbook.org.models import Organization
from dealbook.targets.services import target_milestones_record


class Command(BaseCommand):
    help = "Record the attainment milestones (50, 90, 100 %) targets have reached."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", type=int, help="Only this organisation's id.")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="Count up to this local date (testing)."
        )

    def handle(self, *args, **options) -> None:
        orgs = Organization.objects.order_by("pk")
        if options["org"]:
            orgs = orgs.filter(pk=options["org"])
        total = 0
        for org in orgs:
            total += target_milestones_record(org=org, today=options["today"])
        self.stdout.write(f"{total} milestones recorded.")
