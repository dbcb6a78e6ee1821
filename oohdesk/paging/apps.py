from django.apps import AppConfig


class PagingConfig(AppConfig):
    name = "oohdesk.paging"
    verbose_name = "Paging"

    def ready(self) -> None:
        from oohdesk.paging.engine import register_worker
        from oohdesk.paging.followups import ProviderTaskWorker
        from oohdesk.paging.signals import stop_notifications
        from oohdesk.tickets.signals import ticket_changed

        ticket_changed.connect(stop_notifications, dispatch_uid="oohdesk.paging.stop_notifications")
        register_worker(ProviderTaskWorker())
