"""Linking a report to an open ticket about the same site, and raising that ticket's priority.

Two reports are about the same thing when they come for the same team from
the same organisation about the same site (the host name, ignoring the scheme,
"www." and the path) within OOHDESK_DUPLICATE_WINDOW_MINUTES of the first. The
later one is stored as a possible duplicate and does not page. If it answers
the two questions more urgently, the open ticket's priority goes up and its
page continues at the new priority. A less urgent answer never lowers it.

The open ticket holds ``Ticket.duplicate_key``, a unique column, so two
reports arriving at the same moment cannot both become the open ticket: the
second insert fails, and the report is filed again as a duplicate.
"""

import hashlib
import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings

from oohdesk.paging.escalation import open_page
from oohdesk.paging.models import Page
from oohdesk.paging.reprioritise import raise_page_priority
from oohdesk.tickets import audit
from oohdesk.tickets.models import AuditEntry, Ticket
from oohdesk.tickets.signals import send_ticket_changed
from oohdesk.tickets.triage import Priority

logger = logging.getLogger(__name__)

# Lower is more urgent.
URGENCY = {Priority.P1: 1, Priority.P2: 2, Priority.P3: 3}


def site_key(site: str) -> str:
    """Return the host a site or URL names, such as shop.acme.example for https://www.shop.acme.example/cart."""
    text = site.strip().casefold()
    if not text:
        return ""
    try:
        host = urlsplit(text if "://" in text else f"//{text}").hostname or ""
    except ValueError:
        host = ""
    host = host.removeprefix("www.")
    return host or text


def duplicate_key(team_id: int, organisation_key: str, site: str) -> str | None:
    """Return the key shared by reports about one site from one organisation, or None if either is unknown."""
    site_host = site_key(site)
    if settings.OOHDESK_DUPLICATE_WINDOW_MINUTES == 0 or not organisation_key or not site_host:
        return None
    text = f"{team_id}\n{organisation_key}\n{site_host}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_open_ticket(key: str, at: datetime) -> Ticket | None:
    """Return the open ticket a report at ``at`` with ``key`` duplicates, locking it; call inside a transaction.

    A holder that was resolved, or received longer than the window before
    ``at``, gives the key up so the new report can become the open ticket.
    """
    holder = Ticket.objects.select_for_update().filter(duplicate_key=key).first()
    if holder is None:
        return None
    window = timedelta(minutes=settings.OOHDESK_DUPLICATE_WINDOW_MINUTES)
    if holder.status != Ticket.Status.RESOLVED and holder.received_at > at - window:
        return holder
    Ticket.objects.filter(pk=holder.pk, duplicate_key=key).update(duplicate_key=None)
    return None


def raise_priority(original: Ticket, report: Ticket, at: datetime) -> bool:
    """Raise ``original`` to the priority of a more urgent duplicate ``report``; return whether it rose.

    An original without a page (it was P3) opens one at the new priority. One
    with a page continues it at the new priority, without restarting. Call
    inside the transaction that stores ``report``.
    """
    if URGENCY[Priority(report.priority)] >= URGENCY[Priority(original.priority)]:
        return False
    previous = original.priority
    original.priority = report.priority
    page = Page.objects.select_related("policy", "acknowledged_by").filter(ticket=original).first()
    if page is None:
        original.status = Ticket.Status.OPEN
        original.release_at = None
        original.save(update_fields=["priority", "status", "release_at"])
        open_page(original, at)
    else:
        original.save(update_fields=["priority"])
        raise_page_priority(page, previous, at, reason=f"report {report.ref} about the same site answered more urgently.")
    reason = f"Report {report.ref} about the same site answered more urgently."
    audit.record(original, at, AuditEntry.Action.PRIORITY_RAISED, audit.Actor(name="oohdesk"), report.source, reason, previous, original.priority)
    send_ticket_changed(original, "priority_raised", at)
    logger.info("ticket priority raised by a duplicate ticket=%s duplicate=%s from=%s to=%s", original.ref, report.ref, previous, original.priority)
    return True
