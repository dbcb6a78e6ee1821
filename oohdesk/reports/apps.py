from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "oohdesk.reports"
    verbose_name = "Well-being reports"
