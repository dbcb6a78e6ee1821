from django.contrib import admin

from oohdesk.tickets.models import Ticket


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets are read-only here: they arrive through intake, which also opens their pages.

    Editing the priority or status in the admin would skip the reason a
    developer must give to lower a priority and would leave a page open.
    """

    list_display = ["ref", "summary", "organisation", "priority", "status", "team", "received_at", "source"]
    list_filter = ["priority", "status", "team", "source", "out_of_hours", "verified"]
    search_fields = ["ref", "summary", "organisation", "reporter_email", "site"]
    date_hierarchy = "received_at"
    readonly_fields = [field.name for field in Ticket._meta.fields if field.name != "id"]

    def has_add_permission(self, request) -> bool:
        return False
