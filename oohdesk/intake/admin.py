from django.contrib import admin

from oohdesk.intake.models import CustomerMessage, KnownContact, KnownDomain, KnownOrganisation, WebhookDelivery


class KnownDomainInline(admin.TabularInline):
    model = KnownDomain
    extra = 1


class KnownContactInline(admin.TabularInline):
    model = KnownContact
    extra = 1


@admin.register(KnownOrganisation)
class KnownOrganisationAdmin(admin.ModelAdmin):
    """Customers whose reports are marked verified: by a listed contact's address or a listed email domain."""

    list_display = ["name"]
    search_fields = ["name", "domains__domain", "contacts__email"]
    inlines = [KnownDomainInline, KnownContactInline]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Read-only: deliveries are stored by the webhook endpoints exactly as signed."""

    list_display = ["id", "source", "topic", "delivery_id", "status", "received_at", "ticket", "tries"]
    list_filter = ["source", "status"]
    search_fields = ["delivery_id", "ticket__ref"]
    date_hierarchy = "received_at"
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CustomerMessage)
class CustomerMessageAdmin(admin.ModelAdmin):
    """Read-only: the outbox of customer emails and Intercom replies, with each provider's answer."""

    list_display = ["id", "kind", "channel", "recipient", "status", "ticket", "created_at", "sent_at", "tries"]
    list_filter = ["channel", "kind", "status"]
    search_fields = ["recipient", "ticket__ref"]
    readonly_fields = [field.name for field in CustomerMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
