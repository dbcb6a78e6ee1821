from django.contrib import admin

from oohdesk.paging.models import (
    DemoPhoneMessage,
    EngineHeartbeat,
    EscalationPolicy,
    EscalationStep,
    NotificationAttempt,
    Page,
    PageEvent,
)


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    extra = 1


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "p1_ack_timeout", "p2_ack_timeout", "repeat_count"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [EscalationStepInline]


class ReadOnlyInline(admin.TabularInline):
    """A page's history: written only by the escalation engine, never by hand."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PageEventInline(ReadOnlyInline):
    model = PageEvent
    fields = ["at", "kind", "member", "message"]


class NotificationAttemptInline(ReadOnlyInline):
    model = NotificationAttempt
    fields = ["purpose", "channel", "member", "status", "due_at", "sent_at", "tries", "error"]


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    """Pages are read-only: acknowledging goes through the dashboard or a link, so escalation stops."""

    list_display = ["ticket", "team", "status", "created_at", "acknowledged_at", "acknowledged_by", "acknowledged_via"]
    list_filter = ["status", "team"]
    search_fields = ["ticket__ref", "ticket__summary", "ticket__organisation"]
    date_hierarchy = "created_at"
    inlines = [PageEventInline, NotificationAttemptInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NotificationAttempt)
class NotificationAttemptAdmin(admin.ModelAdmin):
    list_display = ["id", "page", "purpose", "channel", "member", "status", "due_at", "sent_at", "tries", "latency_ms"]
    list_filter = ["status", "channel", "purpose"]
    search_fields = ["page__ticket__ref", "member__name", "provider_id"]
    date_hierarchy = "due_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DemoPhoneMessage)
class DemoPhoneMessageAdmin(admin.ModelAdmin):
    list_display = ["title", "member", "urgent", "received_at"]
    list_filter = ["urgent", "member"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EngineHeartbeat)
class EngineHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "seen_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
