"""Response targets: how soon a ticket should get a response, and the reminder when it has not.

Each escalation policy may set a target per priority. P1 and P2 targets are
clock time from the report. A P3 target is working time in the team's
calendar, so 4 working hours from a Friday 15:00 report with a 17:00 close is
Monday 11:00. A reminder goes to the team as a normal-priority notice at the
first working instant at or after the due time; it never pages.

A ticket counts as responded to once its page is acknowledged or it is
resolved, or when ``mark_responded`` is called for it.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction

from oohdesk.hours.calendar import WorkingHours
from oohdesk.paging.escalation import lock_skipping_locked
from oohdesk.paging.models import EscalationPolicy, Page, ResponseTarget
from oohdesk.paging.notices import queue_ticket_notice
from oohdesk.paging.releases import describe_ticket
from oohdesk.rota.models import Member
from oohdesk.tickets.models import Ticket
from oohdesk.tickets.triage import Priority
from oohdesk.zones import format_local

logger = logging.getLogger(__name__)


def response_due_at(policy: EscalationPolicy, priority: str, hours: WorkingHours, at: datetime) -> datetime | None:
    """Return when a response to a ticket of ``priority`` received at ``at`` is due, or None without a target.

    None too for a P3 target that the calendar cannot fit in the next ten years.
    """
    seconds = policy.response_target(priority)
    if seconds is None:
        return None
    if priority == Priority.P3:
        return hours.add(at, timedelta(seconds=seconds))
    return at + timedelta(seconds=seconds)


def set_response_target(ticket: Ticket, at: datetime, hours: WorkingHours | None = None) -> ResponseTarget | None:
    """Set the ticket's response target for its current priority, counted from ``at``; return it.

    Call inside the transaction that stores the ticket or changes its
    priority. A priority without a target removes any earlier one.
    """
    hours = hours or ticket.team.calendar.working_hours()
    due_at = response_due_at(ticket.team.escalation_policy, ticket.priority, hours, at)
    if due_at is None:
        ResponseTarget.objects.filter(ticket=ticket).delete()
        return None
    target, _created = ResponseTarget.objects.update_or_create(
        ticket=ticket,
        defaults={"due_at": due_at, "remind_at": hours.add(due_at, timedelta(0)), "reminded_at": None},
    )
    return target


def mark_responded(ticket: Ticket, at: datetime) -> None:
    """Record that the team has responded to ``ticket``, which stops its reminder."""
    ResponseTarget.objects.filter(ticket=ticket, responded_at__isnull=True).update(responded_at=at)


def remind_overdue_tickets(at: datetime, limit: int = 100) -> int:
    """Remind the team of each ticket whose response is overdue at ``at``; return how many reminders went out.

    Each reminder is sent once, however many engines run: ``reminded_at`` is
    set with a conditional UPDATE before the notices are queued in the same
    transaction.
    """
    reminded = 0
    with transaction.atomic():
        due = lock_skipping_locked(
            ResponseTarget.objects.filter(reminded_at__isnull=True, responded_at__isnull=True, remind_at__lte=at)
            .select_related("ticket__team__lead", "ticket__team__calendar")
            .order_by("remind_at", "id")
        )[:limit]
        for target in list(due):
            if not ResponseTarget.objects.filter(pk=target.pk, reminded_at__isnull=True).update(reminded_at=at):
                continue
            responded_at = _responded_at(target.ticket, at)
            if responded_at is not None:
                ResponseTarget.objects.filter(pk=target.pk).update(responded_at=responded_at)
                continue
            ticket = target.ticket
            queue_ticket_notice(ticket, f"{ticket.ref} is due a response", _reminder_body(target), at)
            logger.info("response reminder queued ticket=%s", ticket.ref)
            reminded += 1
    return reminded


def _responded_at(ticket: Ticket, at: datetime) -> datetime | None:
    page = Page.objects.filter(ticket=ticket).first()
    if page is not None and page.acknowledged_at is not None:
        return page.acknowledged_at
    if ticket.status == Ticket.Status.RESOLVED or (page is not None and page.status == Page.Status.RESOLVED):
        return at
    return None


def _reminder_body(target: ResponseTarget):
    ticket = target.ticket

    def body_for(member: Member) -> str:
        due = format_local(target.due_at, member.zone)
        return f"{describe_ticket(ticket)}. A response was due by {due} and none is recorded yet."

    return body_for
