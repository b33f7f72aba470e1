"""Scheduled and event-driven work of the targets app: recording attainment milestones."""

from __future__ import annotations

from django.tasks import task

from dealbook.org.models import Organization
from dealbook.targets import services


def record_milestones(*, org_id: int, owner_id: int | None = None) -> int:
    """Record (and notify) the milestones reached in one organisation; with `owner_id`, only
    for the targets that person's results count towards."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return 0
    return services.target_milestones_record(org=org, owner_id=owner_id)


@task
def record_milestones_task(org_id: int, owner_id: int | None = None) -> int:
    return record_milestones(org_id=org_id, owner_id=owner_id)
