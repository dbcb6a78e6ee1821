"""Sending customer messages: claimed from the outbox by the engine, sent outside any transaction.

A failure that retrying can help (a timeout, a 503, a 429) is tried again
after a doubling wait, up to OOHDESK_CUSTOMER_MESSAGE_MAX_TRIES; one that
cannot (a refused address, a 404 from Intercom) fails at once. Either way the
provider's answer is kept on the row.
"""

import logging
import smtplib
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.utils import timezone

from oohdesk.intake import customers, intercom
from oohdesk.intake.leases import claim_due, retry_delay
from oohdesk.intake.models import CustomerMessage
from oohdesk.paging.channels import SendError, SendResult
from oohdesk.paging.models import Page
from oohdesk.tickets.models import Ticket

logger = logging.getLogger(__name__)
Status = CustomerMessage.Status

# How far back the sweep looks for acknowledgements and resolutions whose update was never queued.
SWEEP_PERIOD = timedelta(days=1)


def send_email(message: CustomerMessage) -> SendResult:
    message_id = make_msgid(domain="oohdesk")
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.text, to=[message.recipient], headers={"Message-ID": message_id}
    )
    email.attach_alternative(message.html, "text/html")
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        raise SendError(f"The mail server rejected the address: {error.recipients}", permanent=True) from error
    except (smtplib.SMTPException, OSError, socket.timeout) as error:
        raise SendError(f"Sending email failed: {error}", permanent=False) from error
    return SendResult(provider_id=message_id, response={"to": message.recipient})


def send_message(message_id: int, at: datetime | None = None) -> None:
    """Send one claimed message and record the outcome; a provider failure is recorded, not raised."""
    at = at or timezone.now()
    message = CustomerMessage.objects.get(id=message_id)
    if message.status != Status.SENDING:
        return
    try:
        if message.channel == CustomerMessage.Channel.EMAIL:
            result = send_email(message)
        else:
            result = intercom.post_reply(message.recipient, message.intercom_message_type, message.html)
    except SendError as error:
        _record_failure(message, error, at)
        return
    _finish(message, status=Status.SENT, sent_at=at, provider_id=result.provider_id[:200], provider_response=result.response, error="")
    logger.info("customer message sent message=%s kind=%s channel=%s ticket=%s", message.id, message.kind, message.channel, message.ticket_id)


def _record_failure(message: CustomerMessage, error: SendError, at: datetime) -> None:
    logger.warning(
        "customer message failed message=%s channel=%s ticket=%s permanent=%s error=%s",
        message.id, message.channel, message.ticket_id, error.permanent, error,
    )
    if error.permanent or message.tries >= settings.OOHDESK_CUSTOMER_MESSAGE_MAX_TRIES:
        _finish(message, status=Status.FAILED, error=str(error), provider_response=error.response)
        return
    _finish(message, status=Status.PENDING, due_at=at + retry_delay(message.tries), error=str(error))


def _finish(message: CustomerMessage, **fields) -> None:
    CustomerMessage.objects.filter(id=message.id, status=Status.SENDING).update(claimed_until=None, **fields)


def queue_missed_updates(at: datetime) -> int:
    """Queue acknowledged and resolved updates lost to a crash between a change's commit and its signal.

    Queueing is idempotent (one row per ticket and kind), so this only adds
    what is missing. Return how many rows were added.
    """
    # NOTE: deferrals are not swept: this app cannot tell from the stored
    # rows alone when a ticket was deferred, so only the signal queues them.
    since = at - SWEEP_PERIOD
    added = 0
    acknowledged = Page.objects.filter(acknowledged_at__gt=since, acknowledged_at__lte=at)
    for page in acknowledged.select_related("ticket__team__calendar").exclude(ticket__customer_messages__kind=CustomerMessage.Kind.ACKNOWLEDGED):
        added += customers.queue_update(page.ticket, "acknowledged", page.acknowledged_at)
    resolved = Ticket.objects.filter(status=Ticket.Status.RESOLVED, page__resolved_at__gt=since, page__resolved_at__lte=at)
    for ticket in resolved.select_related("team__calendar", "page").exclude(customer_messages__kind=CustomerMessage.Kind.RESOLVED):
        added += customers.queue_update(ticket, "resolved", ticket.page.resolved_at)
    if added:
        logger.warning("queued customer updates that a crash had lost count=%s", added)
    return added


class MessageWorker:
    """Engine work: customer emails and Intercom replies."""

    name = "customer_message"
    concurrency = 4
    sweep_every = timedelta(minutes=1)

    def __init__(self):
        self._last_sweep: datetime | None = None

    def claim(self, at: datetime, limit: int) -> list[int]:
        if self._last_sweep is None or at - self._last_sweep >= self.sweep_every or at < self._last_sweep:
            self._last_sweep = at
            queue_missed_updates(at)
        return claim_due(CustomerMessage, at, limit, Status.SENDING)

    def run(self, item_id: int, at: datetime | None = None) -> None:
        send_message(item_id, at)
