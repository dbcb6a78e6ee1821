from django.contrib import admin

from oohdesk.hours.forms import ClosingTimeField, ClosureForm, OpeningIntervalForm, RegionForm
from oohdesk.hours.models import BusinessCalendar, Closure, OneOffOpening, OpeningInterval


class OpeningIntervalInline(admin.TabularInline):
    model = OpeningInterval
    form = OpeningIntervalForm
    extra = 1


class ClosureInline(admin.TabularInline):
    model = Closure
    form = ClosureForm
    extra = 0
    verbose_name = "agency closure"


class OneOffOpeningInline(admin.TabularInline):
    model = OneOffOpening
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "closes":
            return ClosingTimeField(help_text=db_field.help_text, required=True)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ["name", "slug", "time_zone", "region_label"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningIntervalInline, ClosureInline, OneOffOpeningInline]

    @admin.display(description="Public holidays of")
    def region_label(self, calendar: BusinessCalendar) -> str:
        return calendar.region_label
