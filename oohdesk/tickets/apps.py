from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "oohdesk.tickets"
    verbose_name = "Tickets"
