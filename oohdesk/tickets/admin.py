from django.contrib import admin

from oohdesk.tickets.models import AuditEntry, Drill, MisuseAlert, Ticket


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets are read-only here: they arrive through intake, which also opens their pages.

    Editing the priority or status in the admin would skip the reason a
    developer must give to lower a priority and would leave a page open.
    """

    list_display = ["ref", "summary", "organisation", "priority", "status", "team", "received_at", "source"]
    list_filter = ["priority", "status", "team", "source", "out_of_hours", "verified", "spam_check"]
    search_fields = ["ref", "summary", "organisation", "reporter_email", "site"]
    date_hierarchy = "received_at"
    readonly_fields = [field.name for field in Ticket._meta.fields if field.name != "id"]

    def has_add_permission(self, request) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit trail is written only by the actions themselves, and never changed afterwards."""

    list_display = ["at", "ticket", "action", "actor_name", "channel"]
    list_filter = ["action", "channel"]
    search_fields = ["ticket__ref", "actor_name", "text"]
    date_hierarchy = "at"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Drill)
class DrillAdmin(admin.ModelAdmin):
    list_display = ["label", "team", "member", "created_at", "expires_at"]
    readonly_fields = ["token", "created_by", "created_at"]


@admin.register(MisuseAlert)
class MisuseAlertAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "raised_at", "not_genuine_count", "limit", "period_days"]
    search_fields = ["organisation"]
