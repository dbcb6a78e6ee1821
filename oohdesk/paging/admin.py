import json

from django.contrib import admin

from oohdesk.paging.models import (
    AnnouncementChannel,
    ContactMethod,
    DemoPhoneMessage,
    EngineHeartbeat,
    EscalationPolicy,
    EscalationStep,
    NotificationAttempt,
    NotificationRule,
    Page,
    PageEvent,
    ProviderTask,
    TestPage,
)
from oohdesk.security.masking import mask_text


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


class MaskedDelivery:
    """Admin columns of the delivery log with contact details masked."""

    @admin.display(description="To")
    def to(self, attempt: NotificationAttempt) -> str:
        return attempt.masked_destination

    @admin.display(description="Error")
    def error_text(self, attempt: NotificationAttempt) -> str:
        return mask_text(attempt.error)


class NotificationAttemptInline(MaskedDelivery, ReadOnlyInline):
    model = NotificationAttempt
    fields = [
        "purpose", "channel", "member", "to", "status", "due_at", "sent_at", "tries", "provider_id", "latency_ms", "error_text"
    ]
    readonly_fields = ["to", "error_text"]


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
class NotificationAttemptAdmin(MaskedDelivery, admin.ModelAdmin):
    """The delivery log. Addresses, provider answers and errors are shown masked."""

    list_display = [
        "id", "page", "purpose", "channel", "member", "to", "status", "due_at", "sent_at", "tries", "latency_ms"
    ]
    list_filter = ["status", "channel", "purpose"]
    search_fields = ["page__ticket__ref", "member__name", "provider_id"]
    date_hierarchy = "due_at"
    exclude = ["destination", "contact_method", "provider_response", "error"]
    readonly_fields = ["to", "provider_answer", "error_text"]

    @admin.display(description="Provider response")
    def provider_answer(self, attempt: NotificationAttempt) -> str:
        return mask_text(json.dumps(attempt.provider_response, sort_keys=True))

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


@admin.register(ContactMethod)
class ContactMethodAdmin(admin.ModelAdmin):
    """Contact methods, with the broken and unverified ones easy to find. Verification happens only by code."""

    list_display = ["member", "kind", "masked_address", "position", "delay_seconds", "verified_at", "broken_at"]
    list_filter = ["kind", ("broken_at", admin.EmptyFieldListFilter), ("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["member__name", "member__email"]
    fields = ["member", "kind", "address", "position", "delay_seconds", "verified_at", "broken_at", "broken_reason"]
    readonly_fields = ["verified_at", "broken_at", "broken_reason"]

    def save_model(self, request, obj, form, change) -> None:
        # A new address must be verified again before it pages anyone.
        if change and {"address", "kind"} & set(form.changed_data):
            obj.verified_at = None
            obj.broken_at = None
            obj.broken_reason = ""
        super().save_model(request, obj, form, change)


@admin.register(NotificationRule)
class NotificationRuleAdmin(admin.ModelAdmin):
    list_display = ["member", "priority", "position", "contact_method", "delay_seconds"]
    list_filter = ["priority"]


@admin.register(AnnouncementChannel)
class AnnouncementChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "team"]
    list_filter = ["kind"]


class RecordAdmin(admin.ModelAdmin):
    """Rows written only by the product (test pages, provider tasks): visible, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TestPage)
class TestPageAdmin(RecordAdmin):
    list_display = ["member", "created_at", "confirmed_at", "confirmed_via"]


@admin.register(ProviderTask)
class ProviderTaskAdmin(RecordAdmin):
    list_display = ["id", "action", "attempt", "status", "due_at", "tries", "finished_at"]
    list_filter = ["action", "status"]
