from django.contrib import admin

from oohdesk.paging.models import ContactMethod
from oohdesk.rota.models import Member, Rota, RotaMembership, Team


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
    model = RotaMembership
    extra = 1
    autocomplete_fields = ["member"]


@admin.register(Rota)
class RotaAdmin(admin.ModelAdmin):
    list_display = ["team", "time_zone", "handover_weekday", "handover_time", "start_date"]
    inlines = [RotaMembershipInline]
