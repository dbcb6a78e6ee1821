from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from oohdesk.api import views

urlpatterns = [
    path("tickets", views.create_ticket, name="api-tickets"),
    path("tickets/<str:ref>", views.ticket_detail, name="api-ticket"),
    path("oncall", views.on_call, name="api-oncall"),
    path("rota/check", views.rota_check, name="api-rota-check"),
    path("pages/<int:page_id>/ack", views.acknowledge_page, name="api-page-ack"),
    path("openapi.json", views.openapi_document, name="api-openapi"),
    # Anything else under /api/v1/ gets a JSON 404 rather than the HTML page.
    re_path(r"^(?P<path>.*)$", csrf_exempt(views.not_found)),
]
