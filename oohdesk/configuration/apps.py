from django.apps import AppConfig


class ConfigurationConfig(AppConfig):
    name = "oohdesk.configuration"
    verbose_name = "Configuration file"
