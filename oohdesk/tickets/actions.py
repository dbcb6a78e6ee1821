"""Ticket actions a developer takes: acknowledge, resolve, defer, change priority, note, reply, judge.

Each action takes the ticket, the time ``at`` (aware), the Actor and the
channel it came from ("dashboard", "link", "api", ...). It either makes the
whole change, writes one audit entry per step and sends ``ticket_changed``
after commit, or raises ActionError naming the field at fault and stores
nothing.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from oohdesk.paging import engine
from oohdesk.paging.escalation import acknowledge, close_page, open_page, route_label
from oohdesk.paging.models import ContactMethod, Page
from oohdesk.rota.models import Member
from oohdesk.tickets import audit, misuse
from oohdesk.tickets.audit import Actor
from oohdesk.tickets.models import AuditEntry, Ticket
from oohdesk.tickets.signals import send_ticket_changed
from oohdesk.tickets.triage import URGENT, Priority
from oohdesk.zones import format_local

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = 1000
TEXT_MAX_LENGTH = 5000
PRIORITY_ORDER = {Priority.P1: 1, Priority.P2: 2, Priority.P3: 3}
# A phone number written in a reply: 7 or more digits, perhaps with spaces, dots, hyphens or brackets.
PHONE_LIKE = re.compile(r"\+?\d[\d ().-]{5,}\d")


class ActionError(Exception):
    """An action was rejected; ``field`` names the input at fault, or is None for the ticket as a whole."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Outcome:
    """The result of an action, with a message for the person who took it."""

    ticket: Ticket
    message: str


def _required_text(value: str, field: str, what: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ActionError(field, f"Enter {what}.")
    if len(text) > max_length:
        raise ActionError(field, f"Shorten {what} to {max_length} characters or fewer (it has {len(text)}).")
    return text


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).select_related("team__calendar").get(pk=ticket.pk)


def _page_of(ticket: Ticket) -> Page | None:
    return Page.objects.filter(ticket=ticket).first()


def _refuse_if_resolved(ticket: Ticket, doing: str) -> None:
    if ticket.status == Ticket.Status.RESOLVED:
        raise ActionError(None, f"{ticket.ref} is already resolved, so it cannot be {doing}.")


def _stop_paging(ticket: Ticket, at: datetime, actor: Actor, channel: str) -> None:
    """Acknowledge the ticket's page if it is still paging, so escalation stops before the next step."""
    page = _page_of(ticket)
    if page is not None and page.status == Page.Status.TRIGGERED:
        acknowledge(page.id, at, actor.member, via=channel, user=actor.user)


def acknowledge_ticket(ticket: Ticket, at: datetime, actor: Actor, channel: str) -> Outcome:
    """Acknowledge the ticket's page through the escalation code, which writes the audit entry."""
    page = _page_of(ticket)
    if page is None:
        raise ActionError(None, f"{ticket.ref} did not page anyone, so there is nothing to acknowledge.")
    result = acknowledge(page.id, at, actor.member, via=channel, user=actor.user)
    return Outcome(ticket, result.message)


def resolve(ticket: Ticket, at: datetime, actor: Actor, channel: str, note: str) -> Outcome:
    """Resolve the ticket with a note on what was done, stopping and closing any page."""
    note = _required_text(note, "note", "a note saying what was done", TEXT_MAX_LENGTH)
    with transaction.atomic():
        ticket = _locked(ticket)
        _refuse_if_resolved(ticket, "resolved again")
        _stop_paging(ticket, at, actor, channel)
        page = _page_of(ticket)
        if page is not None:
            close_page(page.id, at, f"Ticket resolved by {actor.label} through {route_label(channel)}.", actor.member)
        ticket.status = Ticket.Status.RESOLVED
        ticket.resolved_at = at
        ticket.save(update_fields=["status", "resolved_at"])
        audit.record(ticket, at, AuditEntry.Action.RESOLVED, actor, channel, note)
        send_ticket_changed(ticket, "resolved", at)
    logger.info("ticket resolved ticket=%s channel=%s", ticket.ref, channel)
    return Outcome(ticket, f"{ticket.ref} is resolved.")


def defer(ticket: Ticket, at: datetime, actor: Actor, channel: str, reason: str) -> Outcome:
    """Defer the ticket to the next working time of its team's calendar; it drops to P3 and any page closes.

    The next working time is the start of the next opening after ``at``, so a
    ticket deferred in working hours waits for the following opening.
    """
    reason = _required_text(reason, "reason", "the reason it can wait for working hours", REASON_MAX_LENGTH)
    with transaction.atomic():
        ticket = _locked(ticket)
        _refuse_if_resolved(ticket, "deferred")
        if ticket.is_deferred:
            when = format_local(ticket.release_at, ticket.team.calendar.zone)
            raise ActionError(None, f"{ticket.ref} is already deferred until {when}.")
        release_at = ticket.team.calendar.working_hours().next_opening(at)
        if release_at is None:
            raise ActionError(
                None,
                f"{ticket.team.calendar.name} never closes, so there is no next working time to defer to. "
                "Lower the priority instead.",
            )
        _stop_paging(ticket, at, actor, channel)
        page = _page_of(ticket)
        if page is not None:
            close_page(page.id, at, f"Deferred to working hours by {actor.label} through {route_label(channel)}.", actor.member)
        old_priority = ticket.priority
        ticket.priority = Priority.P3
        ticket.status = Ticket.Status.HELD
        ticket.release_at = release_at
        ticket.deferred_at = at
        ticket.save(update_fields=["priority", "status", "release_at", "deferred_at"])
        audit.record(ticket, at, AuditEntry.Action.DEFERRED, actor, channel, reason, old_priority, Priority.P3)
        send_ticket_changed(ticket, "deferred", at)
    when = format_local(release_at, ticket.team.calendar.zone)
    logger.info("ticket deferred ticket=%s channel=%s", ticket.ref, channel)
    return Outcome(ticket, f"{ticket.ref} is deferred to {when} as P3. The customer is told that time.")


def change_priority(ticket: Ticket, at: datetime, actor: Actor, channel: str, priority: str, reason: str) -> Outcome:
    """Raise or lower the priority, with a reason either way.

    Raising a ticket with no page to P1 or P2 opens a page, and a held ticket
    joins the working queue at once. Lowering to P3 stops a page that is still
    paging; the ticket stays open.
    """
    if priority not in Priority.values:
        raise ActionError("priority", f"Choose P1, P2 or P3 (got {priority!r}).")
    new = Priority(priority)
    with transaction.atomic():
        ticket = _locked(ticket)
        _refuse_if_resolved(ticket, "given another priority")
        old = Priority(ticket.priority)
        if new == old:
            raise ActionError("priority", f"{ticket.ref} is already {new.label}; choose another priority.")
        raising = PRIORITY_ORDER[new] < PRIORITY_ORDER[old]
        what = "raising" if raising else "lowering"
        reason = _required_text(reason, "reason", f"the reason for {what} the priority", REASON_MAX_LENGTH)
        if raising:
            message = _raise(ticket, at, new)
        else:
            message = _lower(ticket, at, actor, channel, new)
        action = AuditEntry.Action.PRIORITY_RAISED if raising else AuditEntry.Action.PRIORITY_LOWERED
        audit.record(ticket, at, action, actor, channel, reason, old, new)
        send_ticket_changed(ticket, action.value, at)
    logger.info("ticket priority changed ticket=%s from=%s to=%s channel=%s", ticket.ref, old, new, channel)
    return Outcome(ticket, message)


def _raise(ticket: Ticket, at: datetime, new: Priority) -> str:
    ticket.priority = new
    fields = ["priority"]
    if ticket.status == Ticket.Status.HELD:
        ticket.status = Ticket.Status.OPEN
        ticket.release_at = None
        fields += ["status", "release_at"]
    ticket.save(update_fields=fields)
    if new not in URGENT:
        return f"{ticket.ref} is now {new.label}."
    if _page_of(ticket) is not None:
        return f"{ticket.ref} is now {new.label}. It paged before, so nobody new is paged."
    open_page(ticket, at)
    engine.wake_after_commit()
    return f"{ticket.ref} is now {new.label} and the on-call developer is being paged."


def _lower(ticket: Ticket, at: datetime, actor: Actor, channel: str, new: Priority) -> str:
    if new not in URGENT:
        _stop_paging(ticket, at, actor, channel)
    ticket.priority = new
    ticket.save(update_fields=["priority"])
    return f"{ticket.ref} is now {new.label}."


def add_note(ticket: Ticket, at: datetime, actor: Actor, channel: str, text: str) -> Outcome:
    """Add an internal note, which only staff see."""
    text = _required_text(text, "text", "the note", TEXT_MAX_LENGTH)
    with transaction.atomic():
        ticket = _locked(ticket)
        audit.record(ticket, at, AuditEntry.Action.NOTE_ADDED, actor, channel, text)
        send_ticket_changed(ticket, "note_added", at)
    return Outcome(ticket, "Note added.")


def staff_contact_details() -> tuple[set[str], set[str]]:
    """Return the team's email addresses (lower case) and phone numbers (digits only) that customers never see."""
    emails = {email.lower() for email in Member.objects.values_list("email", flat=True) if email}
    phones = set()
    for address in ContactMethod.objects.exclude(address="").values_list("address", flat=True):
        if "@" in address:
            emails.add(address.lower())
            continue
        digits = re.sub(r"\D", "", address)
        if len(digits) >= 7:
            phones.add(digits)
    return emails, phones


def _mentions_staff_contact(text: str) -> bool:
    emails, phones = staff_contact_details()
    lowered = text.lower()
    if any(email in lowered for email in emails):
        return True
    for match in PHONE_LIKE.findall(text):
        written = re.sub(r"\D", "", match)
        # The last nine digits match whether the number is written with +44 or with a leading 0.
        if len(written) >= 7 and any(written[-9:] == phone[-9:] for phone in phones):
            return True
    return False


def reply(ticket: Ticket, at: datetime, actor: Actor, channel: str, text: str) -> Outcome:
    """Store a reply to the customer; it shows on their status page, and ``ticket_changed`` is sent with "replied".

    A reply that contains a team member's email address or phone number is
    rejected, because customers never see staff contact details.
    """
    text = _required_text(text, "text", "the reply", TEXT_MAX_LENGTH)
    if _mentions_staff_contact(text):
        raise ActionError(
            "text",
            "Remove the team member's email address or phone number from the reply: customers never see staff "
            "contact details. The customer can reach the team through the usual support address.",
        )
    with transaction.atomic():
        ticket = _locked(ticket)
        audit.record(ticket, at, AuditEntry.Action.REPLIED, actor, channel, text)
        send_ticket_changed(ticket, "replied", at)
    return Outcome(ticket, "Reply sent to the customer.")


def judge(ticket: Ticket, at: datetime, actor: Actor, channel: str, genuine: bool, reason: str = "") -> Outcome:
    """Mark an urgent report as a genuine emergency or not; a "not genuine" mark may raise the misuse signal."""
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ActionError("reason", f"Shorten the reason to {REASON_MAX_LENGTH} characters or fewer.")
    with transaction.atomic():
        ticket = _locked(ticket)
        if not (ticket.reported_urgent or ticket.is_urgent):
            raise ActionError(None, f"{ticket.ref} was not reported as urgent, so there is no emergency to judge.")
        if ticket.genuine is genuine:
            raise ActionError("genuine", f"{ticket.ref} is already marked {_judgement(genuine)}.")
        ticket.genuine = genuine
        ticket.save(update_fields=["genuine"])
        action = AuditEntry.Action.JUDGED_GENUINE if genuine else AuditEntry.Action.JUDGED_NOT_GENUINE
        audit.record(ticket, at, action, actor, channel, reason)
        send_ticket_changed(ticket, action.value, at)
        alert = misuse.check_after_judgement(ticket, at)
    message = f"{ticket.ref} is marked {_judgement(genuine)}."
    if alert is not None:
        message += f" {alert.organisation} is now over the misuse limit, and the support lead has been told."
    return Outcome(ticket, message)


def _judgement(genuine: bool) -> str:
    return "a genuine emergency" if genuine else "not a genuine emergency"
