from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from oohdesk.api import calendars, views

urlpatterns = [
    path("tickets", views.create_ticket, name="api-tickets"),
    path("tickets/<str:ref>", views.ticket_detail, name="api-ticket"),
    path("oncall", views.on_call, name="api-oncall"),
    path("rota/check", views.rota_check, name="api-rota-check"),
    path("pages/<int:page_id>/ack", views.acknowledge_page, name="api-page-ack"),
    path("calendars", calendars.calendar_list, name="api-calendars"),
    path("calendars/<slug:slug>", calendars.calendar_detail, name="api-calendar"),
    path("calendars/<slug:slug>/hours", calendars.calendar_hours, name="api-calendar-hours"),
    path("calendars/<slug:slug>/closures", calendars.calendar_closures, name="api-calendar-closures"),
    path("calendars/<slug:slug>/closures/<int:closure_id>", calendars.calendar_closure, name="api-calendar-closure"),
    path(
        "calendars/<slug:slug>/one-off-openings",
        calendars.calendar_one_off_openings,
        name="api-calendar-one-off-openings",
    ),
    path(
        "calendars/<slug:slug>/one-off-openings/<int:opening_id>",
        calendars.calendar_one_off_opening,
        name="api-calendar-one-off-opening",
    ),
    path("openapi.json", views.openapi_document, name="api-openapi"),
    # Anything else under /api/v1/ gets a JSON 404 rather than the HTML page; [\s\S]
    # also matches a path with an encoded newline, which . would not.
    re_path(r"^(?P<path>[\s\S]*)$", csrf_exempt(views.not_found)),
]
