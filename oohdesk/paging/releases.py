"""Releasing held P3 tickets into the team's working queue when working hours begin.

A P3 report received out of hours is stored as held with ``release_at``, the
next opening of the team's calendar. The engine calls ``release_held_tickets``
on every loop. Each release happens once, however many engines run: the
status moves from held to open with a conditional UPDATE, and only the
transaction whose UPDATE changed the row queues the team's notices (only the
chosen person's, for a drill ticket). Nobody is
paged: the notices are normal priority and wait for each member's own hours.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction

from oohdesk.paging.escalation import lock_skipping_locked
from oohdesk.paging.notices import queue_ticket_notice
from oohdesk.rota.models import Member
from oohdesk.tickets.models import Ticket
from oohdesk.tickets.signals import send_ticket_changed
from oohdesk.zones import format_local

logger = logging.getLogger(__name__)


def release_held_tickets(at: datetime, limit: int = 100) -> int:
    """Move held tickets whose release time has come to the working queue and tell their team; return how many."""
    released = 0
    with transaction.atomic():
        due = lock_skipping_locked(
            Ticket.objects.filter(status=Ticket.Status.HELD, release_at__lte=at)
            .select_related("team__calendar", "team__lead")
            .order_by("release_at", "id")
        )[:limit]
        for ticket in list(due):
            if _still_closed(ticket, at):
                continue
            if not Ticket.objects.filter(pk=ticket.pk, status=Ticket.Status.HELD).update(status=Ticket.Status.OPEN):
                continue  # Another engine released it first.
            ticket.status = Ticket.Status.OPEN
            queue_ticket_notice(ticket, f"{ticket.ref} is in the working queue", _notice_body(ticket), at)
            send_ticket_changed(ticket, "released", at)
            logger.info("held ticket released ticket=%s team=%s", ticket.ref, ticket.team.slug)
            released += 1
    return released


def _still_closed(ticket: Ticket, at: datetime) -> bool:
    """Move ``release_at`` on, and return True, when the calendar changed so that it is no longer an opening.

    An agency closure added after the ticket was held can close its release
    day; the ticket then waits for the first working instant after the old
    release time in the calendar as it is now.
    """
    hours = ticket.team.calendar.working_hours()
    if hours.is_open(ticket.release_at):
        return False
    opening = hours.add(ticket.release_at, timedelta(0))
    if opening is not None and opening <= at:
        return False
    Ticket.objects.filter(pk=ticket.pk, status=Ticket.Status.HELD).update(release_at=opening)
    logger.info("held ticket release moved ticket=%s release_at=%s", ticket.ref, opening.isoformat() if opening else None)
    return True


def describe_ticket(ticket: Ticket) -> str:
    """Return the first lines of a notice about ``ticket``: its summary, priority, organisation and site."""
    return f"{ticket.summary}\n{ticket.get_priority_display()} report from {ticket.organisation} ({ticket.site})"


def _notice_body(ticket: Ticket):
    def body_for(member: Member) -> str:
        received = format_local(ticket.received_at, member.zone)
        return (
            f"{describe_ticket(ticket)}, received at {received} and held until working hours. "
            "It is now in the working queue."
        )

    return body_for
