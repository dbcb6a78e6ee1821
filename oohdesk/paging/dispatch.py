"""Claiming due notification attempts, sending them through their channel, and failing over.

Claiming marks rows as sending with a lease inside one transaction (SKIP
LOCKED on PostgreSQL; SQLite serialises writers), so two engines never take
the same row. Sending happens outside any transaction.

What happens after a failure depends on the SendError. A transient one is
retried, at most OOHDESK_SEND_MAX_TRIES times in all, each retry waiting
longer. A permanent one marks the contact method broken (unless oohdesk's own
provider settings are at fault) and moves on to the member's next method at
once. An unknown outcome (no response after the request left) is not resent on
the same channel, and also moves on. A member whose every notification of a
step failed is reported to the admins, and a step in which every notification
failed fails at once so escalation moves on.
"""

import logging
import secrets
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from oohdesk import links
from oohdesk.paging.channels import Channel, Message, SendError, get_channel
from oohdesk.paging.escalation import fail_step, record, report_unreachable, tell_admins
from oohdesk.paging.followups import queue_withdrawals, schedule_poll
from oohdesk.paging.wakeup import wake_after_commit
from oohdesk.paging.models import ContactMethod, NotificationAttempt, Page, PageEvent, TestPage

logger = logging.getLogger(__name__)
Status = NotificationAttempt.Status
Purpose = NotificationAttempt.Purpose

# Purposes that reach a person, so a failure moves on to their next method.
PERSONAL = (Purpose.PAGE, Purpose.ADMIN_ALERT, Purpose.REPAGE, Purpose.TEST)
STILL_GOING = (Status.PENDING, Status.SENDING, Status.SENT)
SMS_KIND = "sms"


def claim_due(at: datetime, limit: int, busy: dict[str, int] | None = None, per_channel: int | None = None) -> list[tuple[int, str]]:
    """Mark up to ``limit`` due attempts as sending under a lease; return (id, channel) of each.

    An attempt still marked sending after its lease ran out belongs to an
    engine that died mid-send, so it is claimed again (at-least-once delivery).
    With ``per_channel``, no channel gets more than that many sends in flight,
    counting the ``busy`` ones already running; the rest wait for a later claim.
    """
    if limit <= 0:
        return []
    lease = timedelta(seconds=settings.OOHDESK_ENGINE_LEASE_SECONDS)
    in_flight = dict(busy or {})
    due = NotificationAttempt.objects.filter(
        Q(status=Status.PENDING, due_at__lte=at) | Q(status=Status.SENDING, claimed_until__lt=at)
    ).order_by("due_at", "id")
    if per_channel is not None:
        full = [channel for channel, count in in_flight.items() if count >= per_channel]
        due = due.exclude(channel__in=full)
    # Most loops find nothing due. One plain query then spares a locking
    # transaction, which on SQLite takes the database's write lock.
    if not due.exists():
        return []
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        claimed = []
        for attempt_id, status, channel in due.values_list("id", "status", "channel")[: limit * 4]:
            if per_channel is not None and in_flight.get(channel, 0) >= per_channel:
                continue
            in_flight[channel] = in_flight.get(channel, 0) + 1
            claimed.append((attempt_id, channel))
            if status == Status.SENDING:
                logger.warning("attempt lease expired, sending again attempt=%s", attempt_id)
            if len(claimed) == limit:
                break
        NotificationAttempt.objects.filter(id__in=[attempt_id for attempt_id, _channel in claimed]).update(
            status=Status.SENDING, claimed_until=at + lease, tries=F("tries") + 1
        )
    return claimed


def claim_due_attempts(at: datetime, limit: int) -> list[int]:
    """Claim like ``claim_due`` on every channel; return the ids."""
    return [attempt_id for attempt_id, _channel in claim_due(at, limit)]


def build_message(attempt: NotificationAttempt) -> Message:
    """Build an attempt's message: a notice's or announcement's own words, a test page, or the page's ticket."""
    if attempt.purpose in (Purpose.NOTICE, Purpose.ANNOUNCEMENT):
        return Message(title=attempt.title, body=attempt.body, urgent=False)
    action_url = links.ack_action_url(attempt.id)
    if attempt.purpose == Purpose.TEST:
        return Message(
            title=f"TEST PAGE for {attempt.member.name} from oohdesk",
            body=(
                "This is a test page, not a real emergency. If it reached you while Do Not Disturb was on, "
                "acknowledge it to confirm that real pages will get through too."
            ),
            urgent=True,
            ack_url=links.test_page_url(attempt.test_page_id),
            ack_action_url=action_url,
            reply_code=attempt.reply_code,
            is_test=True,
        )
    ticket = attempt.page.ticket
    title = f"[{ticket.priority}] {ticket.ref}: {ticket.summary}"
    if attempt.purpose == Purpose.ADMIN_ALERT:
        title = f"Unacknowledged {title}"
    elif attempt.purpose == Purpose.REPAGE:
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
        ack_action_url=action_url,
        ticket_ref=ticket.ref,
        reply_code=attempt.reply_code,
    )


def send_attempt(attempt_id: int, at: datetime | None = None) -> None:
    """Send one claimed attempt and record the outcome. A provider failure is recorded, not raised.

    ``at`` is the time recorded for the outcome, so tests can pass their own
    clock. By default it is the moment the provider responded or the send
    failed, not when the send began. A send that timed out after 10 s must not
    start the next step 10 s in the past, which would cut that step's timeout short.
    """
    attempt = NotificationAttempt.objects.select_related(
        "page__ticket", "member", "test_page", "contact_method", "announcement_channel"
    ).get(id=attempt_id)
    reason = _cancel_reason(attempt)
    if reason:
        _finish(attempt, status=Status.CANCELLED, error=reason)
        return
    started = time.monotonic()
    try:
        channel = get_channel(attempt.channel)
        _give_reply_code(attempt)
        result = channel.send(attempt, build_message(attempt))
    except SendError as error:
        _record_failure(attempt, error, at or timezone.now(), latency_ms=_elapsed_ms(started))
        return
    at = at or timezone.now()
    _finish(
        attempt,
        status=Status.SENT,
        sent_at=at,
        latency_ms=_elapsed_ms(started),
        provider_id=result.provider_id[:200],
        provider_response=result.response,
        error="",
    )
    _after_sent(attempt, channel, result.provider_id, at)
    logger.info(
        "attempt sent ticket=%s page=%s attempt=%s channel=%s", _ticket_ref(attempt), attempt.page_id, attempt.id, attempt.channel
    )


def _ticket_ref(attempt: NotificationAttempt) -> str:
    return attempt.page.ticket.ref if attempt.page else "-"


def _cancel_reason(attempt: NotificationAttempt) -> str:
    # Announcements report the acknowledgement itself, and a page again at a
    # raised priority tells the person handling the page that it got more urgent,
    # so both go out even after an acknowledgement.
    if attempt.purpose in (Purpose.ANNOUNCEMENT, Purpose.REPAGE):
        return ""
    if attempt.page and attempt.page.status != Page.Status.TRIGGERED:
        return f"Cancelled: the page was {attempt.page.status}."
    if attempt.test_page and attempt.test_page.confirmed_at:
        return "Cancelled: the test page was confirmed."
    return ""


def _give_reply_code(attempt: NotificationAttempt) -> None:
    """Give an SMS page a code to reply with, unique among the number's recent pages."""
    if attempt.channel != SMS_KIND or attempt.purpose not in PERSONAL or attempt.reply_code:
        return
    recent = NotificationAttempt.objects.filter(
        channel=SMS_KIND, destination=attempt.destination, created_at__gte=attempt.created_at - timedelta(days=7)
    ).exclude(reply_code="")
    used = set(recent.values_list("reply_code", flat=True))
    code = f"{secrets.randbelow(10_000):04d}"
    while code in used and len(used) < 10_000:
        code = f"{secrets.randbelow(10_000):04d}"
    attempt.reply_code = code
    NotificationAttempt.objects.filter(id=attempt.id).update(reply_code=code)


def _after_sent(attempt: NotificationAttempt, channel: Channel, provider_id: str, at: datetime) -> None:
    if attempt.page:
        if attempt.purpose == Purpose.ANNOUNCEMENT:
            text = f"{channel.label} announcement sent to {attempt.destination}."
        else:
            where = f" at {attempt.masked_destination}" if attempt.masked_destination else ""
            text = f"{channel.label} notification sent to {attempt.member}{where}."
        record(attempt.page, at, PageEvent.Kind.NOTIFIED, text, attempt.member)
    if attempt.purpose not in PERSONAL or not provider_id:
        return
    if channel.pollable:
        schedule_poll(attempt, at)
    if channel.withdrawable and _settled_since_claimed(attempt):
        queue_withdrawals(NotificationAttempt.objects.filter(id=attempt.id), at)


def _settled_since_claimed(attempt: NotificationAttempt) -> bool:
    """Return whether the page or test page behind ``attempt`` was settled while its send was on its way.

    One query reads the current state, rather than reloading the attempt, its page and its ticket.
    """
    if attempt.test_page_id:
        return TestPage.objects.filter(id=attempt.test_page_id, confirmed_at__isnull=False).exists()
    if attempt.page_id:
        return Page.objects.filter(id=attempt.page_id).exclude(status=Page.Status.TRIGGERED).exists()
    return True


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _record_failure(attempt: NotificationAttempt, error: SendError, at: datetime, latency_ms: int) -> None:
    logger.warning(
        "attempt failed ticket=%s page=%s attempt=%s channel=%s permanent=%s unknown_outcome=%s error=%s",
        _ticket_ref(attempt), attempt.page_id, attempt.id, attempt.channel, error.permanent, error.unknown_outcome, error,
    )
    outcome = {"error": str(error), "latency_ms": latency_ms, "provider_response": error.response}
    if error.unknown_outcome:
        _finish(attempt, status=Status.UNKNOWN, **outcome)
        _note_failure(attempt, at, f"outcome unknown, so it is not sent again on this channel: {error}")
        fail_over(attempt, at)
        return
    if error.permanent or attempt.tries >= settings.OOHDESK_SEND_MAX_TRIES:
        _finish(attempt, status=Status.FAILED, **outcome)
        _note_failure(attempt, at, f"failed: {error}")
        if error.permanent and not error.configuration and attempt.contact_method_id:
            mark_broken(attempt.contact_method, str(error), at, attempt.page)
        fail_over(attempt, at)
        return
    retry_at = at + timedelta(seconds=settings.OOHDESK_SEND_RETRY_SECONDS * attempt.tries)
    _finish(attempt, status=Status.PENDING, due_at=retry_at, **outcome)


def _note_failure(attempt: NotificationAttempt, at: datetime, text: str) -> None:
    if attempt.page:
        who = attempt.member or attempt.destination
        record(attempt.page, at, PageEvent.Kind.NOTIFY_FAILED, f"{attempt.channel} notification to {who} {text}", attempt.member)


def mark_broken(method: ContactMethod, reason: str, at: datetime, page: Page | None) -> None:
    """Mark a contact method broken so it pages nobody until it is verified again, and tell the admins once."""
    changed = ContactMethod.objects.filter(id=method.id, broken_at__isnull=True).update(
        broken_at=at, broken_reason=reason[:1000]
    )
    if not changed:
        return
    logger.warning("contact method broken method=%s member=%s", method.id, method.member_id)
    text = f"{method.member.name}'s {method.kind} contact method {method.masked_address} is broken: {reason}"
    if page:
        record(page, at, PageEvent.Kind.METHOD_BROKEN, text, method.member)
    tell_admins(
        f"A contact method of {method.member.name} is broken",
        f"{text}\nIt will page nobody until it is corrected and verified again.",
        at,
    )


def fail_over(attempt: NotificationAttempt, at: datetime) -> None:
    """Move on to the member's next method at once; fail the step when nothing of it is left going."""
    if attempt.purpose not in PERSONAL or attempt.member_id is None:
        return
    scope = NotificationAttempt.objects.filter(
        member_id=attempt.member_id, purpose=attempt.purpose, step_index=attempt.step_index, round=attempt.round
    )
    scope = scope.filter(page_id=attempt.page_id) if attempt.page_id else scope.filter(test_page_id=attempt.test_page_id)
    following = scope.filter(status=Status.PENDING, due_at__gt=at).order_by("due_at", "id").first()
    if following:
        NotificationAttempt.objects.filter(id=following.id, status=Status.PENDING).update(due_at=at)
        if attempt.page:
            record(attempt.page, at, PageEvent.Kind.NOTIFY_FAILED, f"Moving on to {following.channel} for {attempt.member} at once.", attempt.member)
        wake_after_commit()
    if scope.filter(status__in=STILL_GOING).exists() or attempt.purpose != Purpose.PAGE:
        return
    page = attempt.page
    report_unreachable(page, attempt.member, at, "every contact method failed")
    step = page.attempts.filter(purpose=Purpose.PAGE, step_index=attempt.step_index, round=attempt.round)
    if not step.filter(status__in=STILL_GOING).exists() and fail_step(page.id, attempt.step_index, attempt.round, at):
        wake_after_commit()


def _finish(attempt: NotificationAttempt, **fields) -> None:
    """Write the outcome unless someone else changed the row since it was claimed."""
    NotificationAttempt.objects.filter(id=attempt.id, status=Status.SENDING).update(claimed_until=None, **fields)
