from django.urls import path
from django.views.generic import RedirectView

from oohdesk.tickets import drill_views, views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="report", permanent=False)),
    path("report/", views.report, name="report"),
    path("report/received/<str:token>/", views.confirmation, name="ticket-confirmation"),
    path("report/<slug:slug>/", views.report_team, name="report-team"),
    path("status/<str:token>/", views.ticket_status, name="ticket-status"),
    path("drills/", drill_views.drills, name="drills"),
    path("drill/<str:token>/", drill_views.drill_report, name="drill-report"),
]
