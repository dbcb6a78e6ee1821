"""What a customer is told about their ticket, in plain words, from one place."""

from oohdesk.tickets.models import Ticket
from oohdesk.zones import format_local


def _page(ticket: Ticket):
    return getattr(ticket, "page", None)


def state(ticket: Ticket) -> str:
    """Return the ticket's state as a customer sees it, one of the keys of STATE_LABELS."""
    page = _page(ticket)
    if ticket.status == Ticket.Status.RESOLVED:
        return "resolved"
    if ticket.status == Ticket.Status.HELD:
        return "held"
    if page is not None and page.status == page.Status.ACKNOWLEDGED:
        return "acknowledged"
    if page is not None and page.status == page.Status.TRIGGERED:
        return "alerted"
    return "received"


STATE_LABELS = {
    "received": "Received",
    "held": "Held until working hours",
    "alerted": "On-call developer alerted",
    "acknowledged": "Acknowledged by a developer",
    "resolved": "Resolved",
}


def next_steps(ticket: Ticket) -> str:
    """Say what happens next, with any time in the business's zone and the zone named."""
    current = state(ticket)
    if ticket.duplicate_of_id and current != "resolved":
        return (
            f"This looks like the same issue as report {ticket.duplicate_of.ref} about the same site, which we are "
            "already handling, so we have linked your report to it. If your answers show it is more urgent, we have "
            "raised its priority."
        )
    if ticket.paging_limited and current != "resolved":
        return (
            "We have received several urgent reports from you or your organisation in the last hour. The on-call "
            "developer is already working on an earlier one and can see this report too."
        )
    if current == "alerted":
        return "The on-call developer has been alerted and will be in touch as soon as possible."
    if current == "acknowledged":
        return "A developer has acknowledged your report and is looking into it."
    if current == "resolved":
        return "This issue has been resolved. Reply to our email if it comes back."
    if current == "held" and ticket.release_at:
        when = format_local(ticket.release_at, ticket.team.calendar.zone)
        return f"This is not an emergency, so we will pick it up at {when}."
    return "We will pick this up during working hours."
