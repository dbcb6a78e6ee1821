from django.contrib import admin

from oohdesk.hours.models import BusinessCalendar, OpeningInterval


class OpeningIntervalInline(admin.TabularInline):
    model = OpeningInterval
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningIntervalInline]
