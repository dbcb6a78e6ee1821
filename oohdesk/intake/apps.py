from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "oohdesk.intake"
    verbose_name = "Intake"

    def ready(self):
        from oohdesk.intake import checks  # noqa: F401 - registers the settings checks
        from oohdesk.intake.customers import on_report_accepted, on_ticket_changed
        from oohdesk.intake.deliveries import DeliveryWorker
        from oohdesk.intake.outbox import MessageWorker
        from oohdesk.paging.engine import register_worker
        from oohdesk.tickets.signals import report_accepted, ticket_changed

        report_accepted.connect(on_report_accepted, dispatch_uid="intake-confirmation")
        ticket_changed.connect(on_ticket_changed, dispatch_uid="intake-customer-update")
        # Deliveries first, so a report is filed before messages about older ones go out.
        register_worker(DeliveryWorker())
        register_worker(MessageWorker())
