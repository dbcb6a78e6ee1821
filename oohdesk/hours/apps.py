from django.apps import AppConfig


class HoursConfig(AppConfig):
    name = "oohdesk.hours"
    verbose_name = "Working hours"
