from django.contrib import admin

from dealbook.targets.models import PlannedLeave


@admin.register(PlannedLeave)
class PlannedLeaveAdmin(admin.ModelAdmin):
    """Planned leave is entered by an administrator (there is no page for it yet)."""

    list_display = ("user", "start_date", "end_date", "note")
    list_filter = ("org",)
    search_fields = ("user__username", "user__display_name", "note")
    raw_id_fields = ("user",)
