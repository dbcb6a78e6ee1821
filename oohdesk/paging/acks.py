"""Acknowledging through a notification: the provider paths (callback, receipt, keypress, SMS reply, action button).

Each path names the attempt it answers; the attempt leads either to a page,
which is acknowledged, or to a test page, which is confirmed.
"""

from datetime import datetime

from oohdesk.paging.escalation import AckResult, acknowledge
from oohdesk.paging.models import NotificationAttempt, Page


def acknowledge_attempt(attempt: NotificationAttempt, at: datetime, via: str) -> AckResult:
    """Acknowledge the page, or confirm the test page, that ``attempt`` notified, as the attempt's member."""
    from oohdesk.paging.testpages import confirm_test_page

    if attempt.test_page_id:
        return confirm_test_page(attempt.test_page_id, at, via, source_attempt_id=attempt.id)
    if attempt.page_id:
        return acknowledge(attempt.page_id, at, attempt.member, via=via, source_attempt_id=attempt.id)
    return AckResult(False, "This notification has nothing to acknowledge.")


def is_settled(attempt: NotificationAttempt) -> bool:
    """Return whether the page or test page behind ``attempt`` needs no more acknowledgement."""
    if attempt.test_page_id:
        return attempt.test_page.confirmed_at is not None
    if attempt.page_id:
        return attempt.page.status != Page.Status.TRIGGERED
    return True
