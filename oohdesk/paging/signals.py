"""Stopping a page's notifications when its ticket is closed by any path, not only by acknowledgement."""

import logging

from django.db import transaction

from oohdesk.paging.followups import queue_withdrawals
from oohdesk.paging.models import NotificationAttempt, Page

logger = logging.getLogger(__name__)

# Changes after which nobody should be woken for the ticket any more. An
# acknowledgement is left out because ``acknowledge`` does this itself, sparing
# the notification it was acknowledged through.
CLOSING_CHANGES = {"resolved", "deferred"}


def stop_notifications(sender, ticket, change: str, at, **kwargs) -> None:
    """Cancel pending notifications of a closed ticket's page and withdraw those still ringing at the provider.

    Withdrawals are queued once per attempt, so a second close changes nothing.
    """
    if change not in CLOSING_CHANGES:
        return
    page = Page.objects.filter(ticket=ticket).first()
    if page is None or page.status == Page.Status.TRIGGERED:
        return
    with transaction.atomic():
        page.attempts.filter(status=NotificationAttempt.Status.PENDING).exclude(
            purpose=NotificationAttempt.Purpose.ANNOUNCEMENT
        ).update(status=NotificationAttempt.Status.CANCELLED, error=f"Cancelled: the ticket was {change}.")
        queued = queue_withdrawals(page.attempts.all(), at)
    if queued:
        logger.info("notifications to withdraw ticket=%s page=%s count=%s", ticket.ref, page.id, queued)
