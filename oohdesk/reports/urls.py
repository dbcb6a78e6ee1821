from django.urls import path

from oohdesk.reports import views

urlpatterns = [
    path("reports/", views.wellbeing_report, name="reports"),
    path("reports/<slug:section>.csv", views.wellbeing_csv, name="reports-csv"),
]
