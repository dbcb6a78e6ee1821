from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("oohdesk.api.urls")),
    path("intake/", include("oohdesk.intake.urls")),
    path("", include("oohdesk.operations.urls")),
    path("", include("oohdesk.tickets.urls")),
    path("", include("oohdesk.paging.urls")),
    path("", include("oohdesk.front.urls")),
    path("", include("oohdesk.rota.urls")),
    path("", include("oohdesk.hours.urls")),
    path("", include("oohdesk.reports.urls")),
]
