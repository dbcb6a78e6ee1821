"""What a customer is told about their ticket, in plain words, from one place.

Nothing here names a member of staff or shows their contact details: the
customer hears from "the on-call developer", "a developer" (the one who
acted may be the team lead) and "the support team".
"""

from dataclasses import dataclass
from datetime import datetime

from oohdesk.tickets.models import AuditEntry, Ticket
from oohdesk.tickets.triage import Priority
from oohdesk.zones import format_local

Action = AuditEntry.Action


def _page(ticket: Ticket):
    return getattr(ticket, "page", None)


def state(ticket: Ticket) -> str:
    """Return the ticket's state as a customer sees it, one of the keys of STATE_LABELS."""
    page = _page(ticket)
    if ticket.status == Ticket.Status.RESOLVED:
        return "resolved"
    if ticket.is_deferred:
        return "deferred"
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
    "deferred": "Deferred to working hours",
    "resolved": "Resolved",
}


def _business_time(ticket: Ticket, at: datetime) -> str:
    return format_local(at, ticket.team.calendar.zone)


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
    if current == "deferred":
        when = _business_time(ticket, ticket.release_at)
        return (
            "A developer has looked at your report and judged that it can wait for working hours, "
            f"so we will pick it up at {when}."
        )
    if current == "held" and ticket.release_at:
        return f"This is not an emergency, so we will pick it up at {_business_time(ticket, ticket.release_at)}."
    return "We will pick this up during working hours."


@dataclass(frozen=True)
class Update:
    """One line of the customer's history: when, what happened, and any message from the team."""

    at: datetime
    text: str
    message: str = ""


# Audit actions the customer hears about; notes, judgements and ignored acknowledgements stay internal.
CUSTOMER_ACTIONS = [
    Action.RECEIVED,
    Action.ACKNOWLEDGED,
    Action.DEFERRED,
    Action.PRIORITY_RAISED,
    Action.PRIORITY_LOWERED,
    Action.REPLIED,
    Action.RESOLVED,
]


def _update_text(ticket: Ticket, entry: AuditEntry) -> Update:
    if entry.action == Action.RECEIVED:
        return Update(entry.at, "We received your report.")
    if entry.action == Action.ACKNOWLEDGED:
        return Update(entry.at, "A developer acknowledged your report.")
    if entry.action == Action.DEFERRED:
        when = _business_time(ticket, ticket.release_at) if ticket.release_at else "the next working time"
        return Update(entry.at, f"A developer deferred your report to working hours: {when}.")
    if entry.action in (Action.PRIORITY_RAISED, Action.PRIORITY_LOWERED):
        verb = "raised" if entry.action == Action.PRIORITY_RAISED else "lowered"
        return Update(entry.at, f"The priority was {verb} to {_priority_label(entry.new_value)}.")
    if entry.action == Action.REPLIED:
        return Update(entry.at, "Message from the support team:", entry.text)
    return Update(entry.at, "Your report was resolved.")


def _priority_label(value: str) -> str:
    return Priority(value).label if value in Priority.values else value


def history(ticket: Ticket) -> list[Update]:
    """Return what the customer may see of the ticket's history, oldest first.

    The alert to the on-call developer shows at the time the page opened.
    Replies carry their text; no line names a member of staff.
    """
    updates = [_update_text(ticket, entry) for entry in ticket.audit_entries.filter(action__in=CUSTOMER_ACTIONS)]
    if not any(update.text == "We received your report." for update in updates):
        updates.insert(0, Update(ticket.received_at, "We received your report."))
    page = _page(ticket)
    if page is not None:
        updates.append(Update(page.created_at, "We alerted the on-call developer."))
    return sorted(updates, key=lambda update: update.at)


def last_update(ticket: Ticket) -> datetime:
    """Return when the customer-visible state last changed."""
    return max(update.at for update in history(ticket))
