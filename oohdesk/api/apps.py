from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "oohdesk.api"
    verbose_name = "API"
