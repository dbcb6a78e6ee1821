from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "oohdesk.front"
    verbose_name = "Staff pages"
