"""Messages to customers, by email or in their Intercom thread, and when they are queued.

A report from the form, the API or Zendesk gets an email confirmation. A
report from Intercom gets a reply in its thread instead, and an internal note
for the agency, or an email when Intercom replies are off. Each later change
a customer cares about (acknowledged, deferred, resolved) gets an update the
same way, and so do the reports linked to the ticket as possible duplicates.

Every message is an outbox row (CustomerMessage), written in the same
transaction as the ticket for a confirmation, and sent by the engine. Messages
name no member of staff: the customer reads "the on-call developer", never a
name, phone number or address.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from oohdesk import links
from oohdesk.intake import intercom
from oohdesk.intake.models import CustomerMessage, HelpdeskLink, Source, WebhookDelivery
from oohdesk.paging import engine
from oohdesk.tickets import status
from oohdesk.tickets.models import AuditEntry, Ticket
from oohdesk.zones import format_local

logger = logging.getLogger(__name__)

Kind = CustomerMessage.Kind
Channel = CustomerMessage.Channel

UPDATE_KINDS = {
    "acknowledged": Kind.ACKNOWLEDGED,
    "deferred": Kind.DEFERRED,
    "resolved": Kind.RESOLVED,
    "replied": Kind.REPLY,
}


def latest_reply(ticket: Ticket):
    """Return the newest reply to the customer from the ticket's audit trail, or None."""
    return ticket.audit_entries.filter(action=AuditEntry.Action.REPLIED).order_by("-at", "-id").first()


@dataclass(frozen=True)
class Content:
    subject: str
    paragraphs: list[str]
    name: str = ""
    ref: str = ""
    status_url: str = ""

    def context(self) -> dict:
        return {
            "subject": self.subject,
            "paragraphs": self.paragraphs,
            "name": self.name,
            "ref": self.ref,
            "status_url": self.status_url,
        }


def _first_name(ticket: Ticket) -> str:
    return ticket.reporter_name.split()[0] if ticket.reporter_name.strip() else ""


def _about(ticket: Ticket) -> str:
    about = f"We have received your report \u201c{ticket.summary}\u201d"
    return f"{about} about {ticket.site}." if ticket.site else f"{about}."


def confirmation(ticket: Ticket) -> Content:
    paragraphs = [
        _about(ticket),
        f"Your reference is {ticket.ref}. Priority: {ticket.get_priority_display()}.",
        status.next_steps(ticket),
    ]
    return Content(
        subject=f"We have received your report {ticket.ref}",
        paragraphs=paragraphs,
        name=_first_name(ticket),
        ref=ticket.ref,
        status_url=links.status_url(ticket.ref),
    )


def deferred_until(ticket: Ticket, at: datetime) -> str:
    """Return when a deferred ticket will be picked up, in the business's zone with the zone named."""
    zone = ticket.team.calendar.zone
    if ticket.release_at and ticket.release_at > at:
        return format_local(ticket.release_at, zone)
    opening = ticket.team.calendar.working_hours().next_opening(at)
    return format_local(opening, zone) if opening else "the start of the next working day"


def update(ticket: Ticket, changed: Ticket, change: str, at: datetime) -> Content:
    """Build the update for ``ticket`` about a change to ``changed`` (itself, or the ticket it was linked to)."""
    if change == "acknowledged":
        subject = f"Your report {ticket.ref} has been acknowledged"
        news = "A developer has acknowledged your report and is looking into it."
    elif change == "deferred":
        when = deferred_until(changed, at)
        subject = f"Your report {ticket.ref} will be picked up at {when}"
        news = (
            "A developer has looked at your report and judged that it can wait for working hours. "
            f"We will pick it up at {when}."
        )
    elif change == "replied":
        reply = latest_reply(changed)
        subject = f"A reply about your report {ticket.ref}"
        news = reply.text if reply else "The team has replied on your status page."
    else:
        subject = f"Your report {ticket.ref} has been resolved"
        news = f"A developer has marked this issue as resolved. If it comes back, send a new report and quote {ticket.ref}."
    if changed.pk != ticket.pk:
        paragraphs = [f"Your report {ticket.ref} was linked to report {changed.ref} about the same site.", news]
    else:
        paragraphs = [f"An update on your report {ticket.ref}:", news]
    return Content(subject=subject, paragraphs=paragraphs, name=_first_name(ticket), ref=ticket.ref, status_url=links.status_url(ticket.ref))


def not_read(summary: str, name: str, problem: str) -> Content:
    """Build the message that tells a customer their helpdesk report was not filed, and what to do.

    ``problem`` completes the sentence "... could not file it because".
    """
    about = f"We received your report \u201c{summary}\u201d" if summary else "We received your report"
    form_url = links.absolute(reverse("report"))
    return Content(
        subject="We could not read your report",
        paragraphs=[
            f"{about}, but could not file it because {problem} The on-call developer has not been alerted by it.",
            "If your site is completely down, cannot take payments, or key functionality is failing, "
            f"please report it again with both questions answered, or use our Issue Report form: {form_url}",
        ],
        name=name.split()[0] if name.strip() else "",
    )


def internal_note(ticket: Ticket) -> Content:
    """Build the Intercom note that tells the agency's helpdesk staff what oohdesk did with the report."""
    if ticket.duplicate_of_id:
        paging = f"Linked to {ticket.duplicate_of.ref} as a possible duplicate; not paged on its own."
    elif ticket.paging_limited:
        paging = "Not paged: the hourly page limit for unverified reporters was reached; added to the open page."
    elif getattr(ticket, "page", None) is not None:
        paging = "The on-call developer has been paged."
    else:
        paging = status.next_steps(ticket)
    verified = "known customer contact" if ticket.verified else "not a known customer contact (unverified)"
    return Content(
        subject=f"oohdesk {ticket.ref}",
        paragraphs=[f"oohdesk ticket {ticket.ref}, {ticket.get_priority_display()}. {paging}", f"Reporter: {verified}."],
        status_url=links.status_url(ticket.ref),
    )


# Queueing


def _queue(channel: str, kind: str, recipient: str, content: Content, dedupe_key: str, at: datetime, **fields) -> bool:
    """Save one outbox row unless one with ``dedupe_key`` exists; return whether it was saved."""
    if channel == Channel.EMAIL:
        rendered = {
            "text": render_to_string("intake/message.txt", content.context()),
            "html": render_to_string("intake/message.html", content.context()),
        }
    else:
        rendered = {"html": render_to_string("intake/intercom.html", content.context()).strip()}
    try:
        with transaction.atomic():
            CustomerMessage.objects.create(
                channel=channel,
                kind=kind,
                recipient=recipient,
                subject=content.subject[:200],
                dedupe_key=dedupe_key[:200],
                due_at=at,
                created_at=at,
                **rendered,
                **fields,
            )
    except IntegrityError:
        return False
    engine.wake_after_commit()
    return True


def _intercom_thread(ticket: Ticket) -> str | None:
    link = HelpdeskLink.objects.filter(ticket=ticket, source=Source.INTERCOM).first()
    if link is None or not intercom.replies_enabled():
        return None
    return f"{link.object_type}s/{link.object_id}"


def _queue_for(ticket: Ticket, kind: str, content: Content, at: datetime, key_suffix: str = "") -> bool:
    """Queue ``content`` to the ticket's customer: in their Intercom thread if it has one, else by email."""
    thread = _intercom_thread(ticket)
    if thread:
        key = f"intercom:{kind}:{ticket.ref}{key_suffix}"
        return _queue(Channel.INTERCOM, kind, thread, content, key, at, ticket=ticket, intercom_message_type="comment")
    if settings.OOHDESK_CUSTOMER_EMAILS and ticket.reporter_email:
        key = f"email:{kind}:{ticket.ref}{key_suffix}"
        return _queue(Channel.EMAIL, kind, ticket.reporter_email, content, key, at, ticket=ticket)
    return False


def queue_confirmation(ticket: Ticket, at: datetime) -> None:
    """Queue the customer's confirmation, and for Intercom the agency's internal note; call in the ticket's transaction."""
    thread = _intercom_thread(ticket)
    if thread:
        note = internal_note(ticket)
        _queue(Channel.INTERCOM, Kind.NOTE, thread, note, f"intercom:note:{ticket.ref}", at, ticket=ticket, intercom_message_type="note")
    _queue_for(ticket, Kind.CONFIRMATION, confirmation(ticket), at)


def queue_update(ticket: Ticket, change: str, at: datetime) -> int:
    """Queue the update about ``change`` to the ticket's customer and to those of its open duplicates; return how many."""
    kind = UPDATE_KINDS[change]
    # A ticket can be deferred more than once, to different times, and get many replies; each is news.
    suffix = ""
    if change == "deferred":
        suffix = f":{deferred_until(ticket, at)}"
    elif change == "replied":
        reply = latest_reply(ticket)
        suffix = f":{reply.id if reply else at.isoformat()}"
    queued = 0
    for linked in [ticket, *ticket.duplicates.exclude(status=Ticket.Status.RESOLVED)]:
        queued += _queue_for(linked, kind, update(linked, ticket, change, at), at, suffix)
    return queued


def queue_not_read(delivery: WebhookDelivery, report, problem: str, at: datetime) -> bool:
    """Tell the customer behind a rejected delivery that their report was not filed, where they can be reached."""
    content = not_read(report.summary, report.reporter_name, problem)
    key = f"{delivery.source}:{delivery.delivery_id}"
    if report.source == Source.INTERCOM and report.object_id and intercom.replies_enabled():
        thread = f"{report.object_type}s/{report.object_id}"
        return _queue(Channel.INTERCOM, Kind.NOT_READ, thread, content, f"intercom:not_read:{key}", at, delivery=delivery, intercom_message_type="comment")
    if settings.OOHDESK_CUSTOMER_EMAILS and report.reporter_email:
        return _queue(Channel.EMAIL, Kind.NOT_READ, report.reporter_email, content, f"email:not_read:{key}", at, delivery=delivery)
    logger.warning("rejected report: no way to tell the customer delivery=%s", delivery.id)
    return False


# Receivers


def on_report_accepted(sender, ticket: Ticket, at: datetime, **kwargs) -> None:
    # Intercom tickets are confirmed by the delivery processor, once their thread is linked.
    if ticket.source != Ticket.Source.INTERCOM:
        queue_confirmation(ticket, at)


def on_ticket_changed(sender, ticket: Ticket, change: str, at: datetime, **kwargs) -> None:
    """Queue the customer update for a change; runs after the change committed, so it must not raise."""
    if change not in UPDATE_KINDS:
        return
    try:
        fresh = Ticket.objects.select_related("team__calendar").get(pk=ticket.pk)
        with transaction.atomic():
            queue_update(fresh, change, at)
    except Exception:
        # The sweep in oohdesk.intake.outbox queues acknowledged and resolved updates missed here.
        logger.exception("queueing the customer update failed ticket=%s change=%s", ticket.ref, change)
