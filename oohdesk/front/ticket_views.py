"""The staff page of one ticket: its details, paging state, actions and audit trail."""

import logging

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from oohdesk import links
from oohdesk.front.views import member_of, short_time, step_text
from oohdesk.security.access import staff_required
from oohdesk.tickets import status
from oohdesk.tickets.models import Ticket
from oohdesk.tickets.action_forms import panel_context, perform
from oohdesk.tickets.actions import ActionError, Actor
from oohdesk.tickets.audit import channel_label

logger = logging.getLogger(__name__)


def audit_rows(ticket: Ticket, zone) -> list[dict]:
    """Return the ticket's audit trail for display, oldest first, with times in ``zone``."""
    return [
        {
            "at": short_time(entry.at, zone),
            "entry": entry,
            "channel": channel_label(entry.channel),
            "change": f"{entry.old_value} to {entry.new_value}" if entry.old_value and entry.new_value else "",
        }
        for entry in ticket.audit_entries.all()
    ]


def ticket_context(ticket: Ticket, viewer) -> dict:
    zone = viewer.zone if viewer else ticket.team.calendar.zone
    page = getattr(ticket, "page", None)
    return {
        "ticket": ticket,
        "page": page,
        "step": step_text(page) if page else "",
        "state_label": status.STATE_LABELS[status.state(ticket)],
        "received": short_time(ticket.received_at, zone),
        "release": short_time(ticket.release_at, zone) if ticket.status == Ticket.Status.HELD else "",
        "audit": audit_rows(ticket, zone),
        "status_url": links.status_url(ticket.ref),
    }


def _load(ref: str) -> Ticket:
    related = ("team__calendar", "page__policy", "page__acknowledged_by", "drill__member")
    return get_object_or_404(Ticket.objects.select_related(*related), ref=ref.upper())


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def ticket_detail(request, ref: str):
    """Show a ticket; on POST carry out one action as the signed-in user from the dashboard."""
    ticket = _load(ref)
    viewer = member_of(request.user)
    failure, action = None, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            outcome = perform(request.POST, ticket, timezone.now(), Actor.for_user(request.user), "dashboard")
        except ActionError as error:
            failure = error
            logger.info("ticket action rejected ticket=%s action=%s field=%s", ticket.ref, action, error.field)
        else:
            messages.success(request, outcome.message)
            return redirect("ticket-detail", ref=ticket.ref)
    context = {
        **ticket_context(ticket, viewer),
        **panel_context(ticket, failure, action, request.POST),
        "action_url": request.path,
    }
    return render(request, "front/ticket_detail.html", context, status=400 if failure else 200)
