from django.contrib import admin

from dealbook.targets.models import PlannedLeave


@admin.register(PlannedLeave)
class PlannedLeaveAdmin(admin.ModelAdmin):
    """An operations view of planned leave. The product records it (the person's target page,
    the API) through `services.planned_leave_create`, which checks and audits each entry;
    changes made here do neither."""

    list_display = ("user", "start_date", "end_date", "note")
    list_filter = ("org",)
    search_fields = ("user__username", "user__display_name", "note")
    raw_id_fields = ("user",)
