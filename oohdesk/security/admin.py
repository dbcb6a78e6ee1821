from django.contrib import admin

from oohdesk.security.models import RejectedReport


@admin.register(RejectedReport)
class RejectedReportAdmin(admin.ModelAdmin):
    """Reports refused by a rate limit or the spam guard; read-only, written by the screening code."""

    list_display = ["at", "reason", "priority", "source", "team_slug"]
    list_filter = ["reason", "priority", "source"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
