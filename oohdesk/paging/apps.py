from django.apps import AppConfig


class PagingConfig(AppConfig):
    name = "oohdesk.paging"
    verbose_name = "Paging"
