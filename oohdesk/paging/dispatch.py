"""Claiming due notification attempts and sending them through their channel.

Claiming marks rows as sending with a lease inside one transaction (SKIP
LOCKED on PostgreSQL; SQLite serialises writers), so two engines never take
the same row. Sending happens outside any transaction.
"""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from oohdesk import links
from oohdesk.paging.channels import Message, SendError, get_channel
from oohdesk.paging.escalation import record
from oohdesk.paging.models import NotificationAttempt, Page, PageEvent

logger = logging.getLogger(__name__)
Status = NotificationAttempt.Status


def claim_due_attempts(at: datetime, limit: int) -> list[int]:
    """Mark up to ``limit`` due attempts as sending under a lease; return their ids.

    An attempt still marked sending after its lease ran out belongs to an
    engine that died mid-send, so it is claimed again (at-least-once delivery).
    """
    if limit <= 0:
        return []
    lease = timedelta(seconds=settings.OOHDESK_ENGINE_LEASE_SECONDS)
    with transaction.atomic():
        due = NotificationAttempt.objects.filter(
            Q(status=Status.PENDING, due_at__lte=at) | Q(status=Status.SENDING, claimed_until__lt=at)
        ).order_by("due_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        claimed = list(due.values_list("id", "status")[:limit])
        for attempt_id, status in claimed:
            if status == Status.SENDING:
                logger.warning("attempt lease expired, sending again attempt=%s", attempt_id)
        ids = [attempt_id for attempt_id, _status in claimed]
        NotificationAttempt.objects.filter(id__in=ids).update(
            status=Status.SENDING, claimed_until=at + lease, tries=F("tries") + 1
        )
    return ids


def build_message(attempt: NotificationAttempt) -> Message:
    """Return what an attempt says: a notice's own words, or the page's ticket with an acknowledgement link."""
    if attempt.purpose == NotificationAttempt.Purpose.NOTICE:
        return Message(title=attempt.title, body=attempt.body, urgent=False)
    ticket = attempt.page.ticket
    title = f"[{ticket.priority}] {ticket.ref}: {ticket.summary}"
    if attempt.purpose == NotificationAttempt.Purpose.ADMIN_ALERT:
        title = f"Unacknowledged {title}"
    elif attempt.purpose == NotificationAttempt.Purpose.REPAGE:
        title = f"Priority raised {title}"
    body = (
        f"{ticket.get_priority_display()} report from {ticket.organisation} about {ticket.site}.\n"
        f"{ticket.summary}\n\n{ticket.description}\n\n"
        f"Reported by {ticket.reporter_name}, {ticket.reporter_phone}, {ticket.reporter_email}."
    )
    if not ticket.verified:
        body += f"\n\nUnverified reporter: {ticket.reporter_email or 'no email address'} is not a known customer contact."
    if ticket.is_drill:
        title = f"DRILL {title}"
        body = f"This is a drill: only you have been notified.\n\n{body}"
    return Message(
        title=title,
        body=body,
        urgent=True,
        ack_url=links.ack_url(attempt.page_id, attempt.member_id),
        ticket_ref=ticket.ref,
    )


def send_attempt(attempt_id: int, at: datetime | None = None) -> None:
    """Send one claimed attempt and record the outcome. A provider failure is recorded, not raised.

    ``at`` is the time recorded for the outcome (now by default), so tests can pass their own clock.
    """
    at = at or timezone.now()
    attempt = NotificationAttempt.objects.select_related("page__ticket", "member").get(id=attempt_id)
    # A page again at a raised priority goes out even after an acknowledgement,
    # because it tells the person handling the page that it got more urgent.
    repage = attempt.purpose == NotificationAttempt.Purpose.REPAGE
    if attempt.page and attempt.page.status != Page.Status.TRIGGERED and not repage:
        _finish(attempt, status=Status.CANCELLED, error=f"Cancelled: the page was {attempt.page.status}.")
        return
    started = time.monotonic()
    try:
        channel = get_channel(attempt.channel)
        result = channel.send(attempt, build_message(attempt))
    except SendError as error:
        _record_failure(attempt, error, at, latency_ms=_elapsed_ms(started))
        return
    _finish(
        attempt,
        status=Status.SENT,
        sent_at=at,
        latency_ms=_elapsed_ms(started),
        provider_id=result.provider_id[:200],
        provider_response=result.response,
        error="",
    )
    if attempt.page:
        record(attempt.page, at, PageEvent.Kind.NOTIFIED, f"{channel.label} notification sent to {attempt.member}.", attempt.member)
    logger.info("attempt sent attempt=%s channel=%s page=%s", attempt.id, attempt.channel, attempt.page_id)


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _record_failure(attempt: NotificationAttempt, error: SendError, at: datetime, latency_ms: int) -> None:
    logger.warning(
        "attempt failed attempt=%s channel=%s page=%s permanent=%s error=%s",
        attempt.id, attempt.channel, attempt.page_id, error.permanent, error,
    )
    if error.permanent or attempt.tries >= settings.OOHDESK_SEND_MAX_TRIES:
        _finish(attempt, status=Status.FAILED, error=str(error), latency_ms=latency_ms, provider_response=error.response)
        if attempt.page:
            record(attempt.page, at, PageEvent.Kind.NOTIFY_FAILED, f"{attempt.channel} notification to {attempt.member} failed: {error}", attempt.member)
        return
    retry_at = at + timedelta(seconds=settings.OOHDESK_SEND_RETRY_SECONDS * attempt.tries)
    _finish(attempt, status=Status.PENDING, due_at=retry_at, error=str(error), latency_ms=latency_ms)


def _finish(attempt: NotificationAttempt, **fields) -> None:
    """Write the outcome unless someone else changed the row since it was claimed."""
    NotificationAttempt.objects.filter(id=attempt.id, status=Status.SENDING).update(claimed_until=None, **fields)
