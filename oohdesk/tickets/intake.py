"""Accepting a report: one transaction stores the ticket and, if urgent, its page.

Every source (the form, the JSON API, Intercom, Zendesk) comes through
``accept_report``, so they all follow the same rules:

- the same idempotency key returns the first ticket and stores nothing new;
- a report about the same site from the same organisation as an open ticket
  is linked to it as a possible duplicate and does not page, but raises its
  priority if more urgent (see oohdesk.intake.duplicates);
- an urgent report from an unknown reporter pages, within an hourly limit
  (see oohdesk.intake.reporters).

Nothing is half-stored: the ticket, its page, the first step's notifications
and whatever ``report_accepted`` receivers queue commit together, or none do.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from oohdesk.intake import duplicates, reporters
from oohdesk.paging import engine
from oohdesk.paging.escalation import open_page, record
from oohdesk.paging.models import PageEvent
from oohdesk.paging.targets import set_response_target
from oohdesk.rota.models import Team
from oohdesk.tickets import audit
from oohdesk.tickets.models import AuditEntry, Drill, Ticket, new_drill_reference
from oohdesk.tickets.signals import report_accepted
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


def accept_report(
    form, team: Team, at: datetime, source: str, idempotency_key: str | None = None, drill: Drill | None = None
) -> Accepted:
    """Store a validated IssueReportForm as a ticket, paging if the rules above say so; return it.

    With an ``idempotency_key`` already used for the same report, the first
    ticket is returned and nothing new is stored; with one used for a
    different report, IdempotencyConflict is raised. A report sent through a
    ``drill`` is stored as a drill ticket: it is never linked to or from a real
    ticket, no hourly limit holds its page back, and its page notifies only the
    drill's chosen person.
    """
    report_fingerprint = fingerprint({**form.cleaned_data, "team": team.slug})
    # A unique index can reject the insert when an identical request, or a
    # report about the same site, was stored at the same moment. The second
    # pass then finds that ticket and returns it or links to it.
    for second_pass in (False, True):
        if idempotency_key:
            existing = _existing(idempotency_key, report_fingerprint)
            if existing:
                return Accepted(existing, created=False)
        try:
            ticket = _store(form, team, at, source, idempotency_key, report_fingerprint, drill)
        except IntegrityError:
            if second_pass:
                raise
            logger.info("report stored at the same moment as another; filing it again team=%s", team.slug)
            continue
        return Accepted(ticket, created=True)
    raise AssertionError("unreachable: the second pass returns or raises")


def _existing(idempotency_key: str, report_fingerprint: str) -> Ticket | None:
    ticket = Ticket.objects.filter(idempotency_key=idempotency_key).first()
    if ticket and ticket.request_fingerprint != report_fingerprint:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used for a different report; use a new key for a new report."
        )
    return ticket


def _new_ticket(form, team: Team, at: datetime, source: str, decision: Decision) -> Ticket:
    site_down, affects_half = form.answers()
    # A fresh instance each pass: one whose insert failed must not be saved again.
    ticket = Ticket(**{name: form.cleaned_data[name] for name in form._meta.fields})
    # The public form's screening records its spam check on the form's own instance.
    ticket.spam_check = form.instance.spam_check
    ticket.team = team
    ticket.source = source
    ticket.site_down = site_down
    ticket.affects_half = affects_half
    ticket.priority = decision.priority
    ticket.received_at = at
    ticket.out_of_hours = decision.out_of_hours
    ticket.release_at = decision.release_at
    ticket.status = Ticket.Status.HELD if decision.release_at else Ticket.Status.OPEN
    return ticket


def _store(form, team: Team, at: datetime, source: str, idempotency_key, report_fingerprint, drill) -> Ticket:
    hours = team.calendar.working_hours()
    decision = decide(priority_for(*form.answers()), hours, at)
    ticket = _new_ticket(form, team, at, source, decision)
    reporter = reporters.identify(ticket.reporter_email, ticket.organisation)
    ticket.organisation = reporter.organisation or ticket.organisation
    ticket.verified = reporter.verified
    ticket.idempotency_key = idempotency_key or None
    ticket.request_fingerprint = report_fingerprint
    key = duplicates.duplicate_key(team.id, reporters.organisation_key(ticket.organisation), ticket.site)
    if drill is not None:
        ticket.drill = drill
        ticket.is_drill = True
        ticket.ref = new_drill_reference()
        key = None
    with transaction.atomic():
        original = duplicates.find_open_ticket(key, at) if key else None
        if original is not None:
            _store_duplicate(ticket, original, at)
        else:
            ticket.duplicate_key = key
            _store_and_page(ticket, decision, at)
            set_response_target(ticket, at, hours)
        reporter_actor = audit.Actor(name=f"{ticket.reporter_name} (customer)")
        audit.record(ticket, at, AuditEntry.Action.RECEIVED, reporter_actor, source, new_value=ticket.priority)
        report_accepted.send(sender=Ticket, ticket=ticket, at=at)
        engine.wake_after_commit()
    logger.info(
        "ticket accepted ticket=%s priority=%s source=%s verified=%s duplicate_of=%s",
        ticket.ref, ticket.priority, source, ticket.verified,
        ticket.duplicate_of.ref if ticket.duplicate_of else None,
    )
    return ticket


def _store_duplicate(ticket: Ticket, original: Ticket, at: datetime) -> None:
    ticket.duplicate_of = original
    ticket.save()
    page = getattr(original, "page", None)
    if page is not None:
        record(page, at, PageEvent.Kind.REPORT_LINKED, f"Possible duplicate {ticket.ref} ({ticket.priority}) from {ticket.organisation}: not paged.")
    duplicates.raise_priority(original, ticket, at)


def _store_and_page(ticket: Ticket, decision: Decision, at: datetime) -> None:
    limit = None
    if decision.pages and not ticket.verified and not ticket.is_drill:
        limit = reporters.check_page_limit(ticket.reporter_email, ticket.organisation, at)
    ticket.paging_limited = bool(limit and limit.holds_back_page)
    ticket.save()
    if ticket.paging_limited:
        message = (
            f"Further urgent report {ticket.ref} from an unverified reporter at {ticket.organisation}: "
            "not paged, because the hourly page limit for unverified reports was reached."
        )
        record(limit.open_page, at, PageEvent.Kind.REPORT_LINKED, message)
        logger.warning("unverified report not paged: hourly limit reached ticket=%s page=%s", ticket.ref, limit.open_page.id)
    elif decision.pages:
        open_page(ticket, at)
