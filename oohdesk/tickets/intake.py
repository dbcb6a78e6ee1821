"""Accepting a report: one transaction stores the ticket and, if urgent, its page.

Nothing is half-stored: either the ticket, its page and the first step's
notifications all commit together, or none of them do.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from oohdesk.paging import engine
from oohdesk.paging.escalation import open_page
from oohdesk.paging.targets import set_response_target
from oohdesk.rota.models import Team
from oohdesk.tickets.models import Ticket
from oohdesk.tickets.triage import Decision, decide, priority_for

logger = logging.getLogger(__name__)


class IdempotencyConflict(Exception):
    """The idempotency key was used before for a different report."""


@dataclass(frozen=True)
class Accepted:
    ticket: Ticket
    created: bool


def fingerprint(fields: dict) -> str:
    """Hash a report's fields, so a reused idempotency key with different content is caught."""
    canonical = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def accept_report(form, team: Team, at: datetime, source: str, idempotency_key: str | None = None) -> Accepted:
    """Store a validated IssueReportForm as a ticket, paging if urgent; return it.

    With an ``idempotency_key`` already used for the same report, the first
    ticket is returned and nothing new is stored.
    """
    report_fingerprint = fingerprint({**form.cleaned_data, "team": team.slug})
    if idempotency_key:
        existing = _existing(idempotency_key, report_fingerprint)
        if existing:
            return Accepted(existing, created=False)
    try:
        ticket = _create(form, team, at, source, idempotency_key, report_fingerprint)
    except IntegrityError:
        existing = idempotency_key and _existing(idempotency_key, report_fingerprint)
        if not existing:
            raise
        return Accepted(existing, created=False)
    return Accepted(ticket, created=True)


def _existing(idempotency_key: str, report_fingerprint: str) -> Ticket | None:
    ticket = Ticket.objects.filter(idempotency_key=idempotency_key).first()
    if ticket and ticket.request_fingerprint != report_fingerprint:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used for a different report; use a new key for a new report."
        )
    return ticket


def _create(form, team: Team, at: datetime, source: str, idempotency_key, report_fingerprint) -> Ticket:
    site_down, affects_half = form.answers()
    hours = team.calendar.working_hours()
    decision: Decision = decide(priority_for(site_down, affects_half), hours, at)
    with transaction.atomic():
        ticket = form.save(commit=False)
        ticket.team = team
        ticket.source = source
        ticket.site_down = site_down
        ticket.affects_half = affects_half
        ticket.priority = decision.priority
        ticket.received_at = at
        ticket.out_of_hours = decision.out_of_hours
        ticket.release_at = decision.release_at
        ticket.status = Ticket.Status.HELD if decision.release_at else Ticket.Status.OPEN
        ticket.idempotency_key = idempotency_key or None
        ticket.request_fingerprint = report_fingerprint
        ticket.save()
        if decision.pages:
            open_page(ticket, at)
        set_response_target(ticket, at, hours)
        transaction.on_commit(engine.wake)
    logger.info("ticket accepted ticket=%s priority=%s source=%s", ticket.ref, ticket.priority, source)
    return ticket
