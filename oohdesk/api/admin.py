from django.contrib import admin, messages

from oohdesk.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens: only the hash is stored, so the secret is shown once, when the token is added."""

    list_display = ["name", "user", "created_at", "last_used_at"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]
    fields = ["name", "user", "created_at", "last_used_at"]
    readonly_fields = ["created_at", "last_used_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "user"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        issued, secret = ApiToken.issue(obj.user, obj.name)
        # The admin logs and redirects using ``obj``, so it takes the stored row's values.
        obj.pk = issued.pk
        obj.token_hash = issued.token_hash
        obj.created_at = issued.created_at
        messages.warning(request, f"Copy this token now, because it is not shown again: {secret}")
