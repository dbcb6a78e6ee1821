from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "oohdesk.operations"
    verbose_name = "Operations"
