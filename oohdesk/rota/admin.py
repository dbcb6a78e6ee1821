from django.contrib import admin
from django.utils import timezone

from oohdesk.paging.models import ContactMethod
from oohdesk.rota.changes import Settings, change_rota
from oohdesk.rota.models import CalendarFeed, Member, Override, Rota, RotaLogEntry, RotaMembership, SwapRequest, Team


class ContactMethodInline(admin.TabularInline):
    model = ContactMethod
    extra = 1


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "time_zone", "is_admin", "user"]
    list_filter = ["is_admin"]
    search_fields = ["name", "email"]
    autocomplete_fields = ["user"]
    inlines = [ContactMethodInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "calendar", "lead", "escalation_policy"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class RotaMembershipInline(admin.TabularInline):
    """The current order, read-only: members change on the rota's members page, which keeps who is on call now."""

    model = RotaMembership
    extra = 0
    can_delete = False
    readonly_fields = ["position", "member"]

    def has_add_permission(self, request, obj=None):
        # Added by the rota pages through rota.changes, never here, so the history stays right.
        return obj is None


@admin.register(Rota)
class RotaAdmin(admin.ModelAdmin):
    list_display = ["__str__", "time_zone", "handover_weekday", "handover_time", "start_date", "handover_notice"]
    inlines = [RotaMembershipInline]

    def save_model(self, request, obj, form, change):
        """Save handover changes to a stored rota through rota.changes, so the week in progress keeps its member."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        stored = Rota.objects.get(pk=obj.pk)
        settings = Settings(obj.time_zone, obj.handover_weekday, obj.handover_time, obj.start_date)
        other_fields = [name for name in form.changed_data if name not in ("time_zone", "handover_weekday", "handover_time", "start_date")]
        if other_fields:
            Rota.objects.filter(pk=obj.pk).update(**{name: getattr(obj, name) for name in other_fields})
        change_rota(stored, timezone.now(), request.user.get_username(), settings=settings)


@admin.register(Override)
class OverrideAdmin(admin.ModelAdmin):
    list_display = ["member", "rota", "starts_at", "ends_at", "note", "created_at"]
    list_filter = ["rota"]
    readonly_fields = ["created_at", "created_by", "swap"]


@admin.register(SwapRequest)
class SwapRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "rota", "status", "created_at", "decided_at"]
    list_filter = ["status", "kind"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RotaLogEntry)
class RotaLogEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "rota", "actor", "message"]
    list_filter = ["rota"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created_at", "last_fetched_at"]
    exclude = ["key"]

    def has_add_permission(self, request):
        return False
