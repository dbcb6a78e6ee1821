"""Signals about tickets, so customer updates and integrations can follow a ticket without the paging code knowing them.

``ticket_changed`` is sent after the change has committed, with keyword
arguments ``ticket`` (the Ticket), ``change`` (a short word such as
"acknowledged", "deferred", "resolved", "priority_raised") and ``at`` (the
aware time of the change).
"""

from django.dispatch import Signal

ticket_changed = Signal()

# Sent by accept_report inside the transaction that stores a new ticket, with
# keyword arguments ``ticket`` and ``at``. A receiver's writes commit or roll
# back with the ticket, which makes it the place to queue outbox rows such as
# the customer's confirmation.
report_accepted = Signal()


def send_ticket_changed(ticket, change: str, at) -> None:
    """Send ``ticket_changed`` once the current transaction commits (at once outside one)."""
    from django.db import transaction

    transaction.on_commit(lambda: ticket_changed.send(sender=type(ticket), ticket=ticket, change=change, at=at))
