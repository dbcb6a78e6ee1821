"""Signed links sent to people: acknowledge a page, follow a ticket.

Each token is bound to one object and one action by its salt and payload, so
a status token cannot acknowledge a page and an acknowledgement token for one
page cannot acknowledge another. Both kinds expire (OOHDESK_ACK_LINK_MAX_AGE,
OOHDESK_STATUS_LINK_MAX_AGE), and django.core.signing compares signatures in
constant time.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

ACK_SALT = "oohdesk.page.ack"
ACK_ACTION_SALT = "oohdesk.attempt.ack_action"
TEST_PAGE_SALT = "oohdesk.test_page.confirm"
STATUS_SALT = "oohdesk.ticket.status"


def absolute(path: str) -> str:
    return settings.OOHDESK_BASE_URL + path


def ack_token(page_id: int, member_id: int | None) -> str:
    return signing.dumps({"page": page_id, "member": member_id}, salt=ACK_SALT, compress=True)


def read_ack_token(token: str) -> tuple[int, int | None]:
    """Return (page id, member id); raise signing.BadSignature if tampered with or expired."""
    payload = signing.loads(token, salt=ACK_SALT, max_age=settings.OOHDESK_ACK_LINK_MAX_AGE)
    return int(payload["page"]), payload.get("member")


def ack_url(page_id: int, member_id: int | None) -> str:
    return absolute(reverse("page-ack-link", args=[ack_token(page_id, member_id)]))


def ack_action_token(attempt_id: int) -> str:
    return signing.dumps(attempt_id, salt=ACK_ACTION_SALT)


def read_ack_action_token(token: str) -> int:
    """Return the attempt id; raise signing.BadSignature if tampered with or expired."""
    return int(signing.loads(token, salt=ACK_ACTION_SALT, max_age=settings.OOHDESK_ACK_LINK_MAX_AGE))


def ack_action_url(attempt_id: int) -> str:
    """Return a URL that acknowledges on a bare POST, for buttons inside notifications (no page, no form)."""
    return absolute(reverse("ack-action", args=[ack_action_token(attempt_id)]))


def test_page_token(test_page_id: int) -> str:
    return signing.dumps(test_page_id, salt=TEST_PAGE_SALT)


def read_test_page_token(token: str) -> int:
    return int(signing.loads(token, salt=TEST_PAGE_SALT, max_age=settings.OOHDESK_ACK_LINK_MAX_AGE))


def test_page_url(test_page_id: int) -> str:
    return absolute(reverse("test-page-confirm", args=[test_page_token(test_page_id)]))


def status_token(ticket_ref: str) -> str:
    return signing.dumps(ticket_ref, salt=STATUS_SALT)


def read_status_token(token: str) -> str:
    """Return the ticket reference; raise signing.BadSignature if tampered with or expired."""
    return signing.loads(token, salt=STATUS_SALT, max_age=settings.OOHDESK_STATUS_LINK_MAX_AGE)


def status_path(ticket_ref: str) -> str:
    return reverse("ticket-status", args=[status_token(ticket_ref)])


def status_url(ticket_ref: str) -> str:
    return absolute(status_path(ticket_ref))
