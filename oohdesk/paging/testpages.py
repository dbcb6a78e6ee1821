"""Test pages: a member pages themselves through their real rules to prove it gets through Do Not Disturb.

A test page uses the P1 rules and the same urgent settings as a real page,
says plainly that it is a test, and never escalates to anyone else. The member
confirms it from the notification (the same ways a page is acknowledged),
which records when they last proved their phone lets pages through.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction

from oohdesk.paging import engine
from oohdesk.paging.escalation import AckResult
from oohdesk.paging.followups import queue_withdrawals
from oohdesk.paging.models import NotificationAttempt, TestPage
from oohdesk.paging.rules import TEST_PAGE_PRIORITY, planned_sends
from oohdesk.rota.models import Member

logger = logging.getLogger(__name__)


class NoUsableMethod(Exception):
    """The member has no verified, working contact method to send a test page to."""


def send_test_page(member: Member, at: datetime) -> TestPage:
    """Queue a test page to ``member`` through their P1 rules; raise NoUsableMethod if nothing can carry it."""
    sends = planned_sends(member, TEST_PAGE_PRIORITY)
    if not sends:
        raise NoUsableMethod(
            f"{member.name} has no verified, working contact method, so a test page cannot be sent. "
            "Add a contact method and verify it with the code sent to it first."
        )
    with transaction.atomic():
        test_page = TestPage.objects.create(member=member, created_at=at)
        for send in sends:
            NotificationAttempt.objects.create(
                test_page=test_page,
                member=member,
                contact_method=send.method,
                purpose=NotificationAttempt.Purpose.TEST,
                channel=send.method.kind,
                destination=send.method.address,
                due_at=at + timedelta(seconds=send.delay_seconds),
                created_at=at,
            )
        engine.wake_after_commit()
    logger.info("test page queued test_page=%s member=%s methods=%s", test_page.id, member.id, len(sends))
    return test_page


def confirm_test_page(test_page_id: int, at: datetime, via: str, source_attempt_id: int | None = None) -> AckResult:
    """Record that the member received the test page; stop its other notifications."""
    with transaction.atomic():
        test_page = TestPage.objects.select_for_update().get(id=test_page_id)
        if test_page.confirmed_at is not None:
            return AckResult(False, "This test page was already confirmed.")
        test_page.confirmed_at = at
        test_page.confirmed_via = via
        test_page.save(update_fields=["confirmed_at", "confirmed_via"])
        test_page.attempts.filter(status=NotificationAttempt.Status.PENDING).update(
            status=NotificationAttempt.Status.CANCELLED, error="Cancelled: the test page was confirmed."
        )
        queue_withdrawals(test_page.attempts.exclude(id=source_attempt_id), at)
        engine.wake_after_commit()
    logger.info("test page confirmed test_page=%s via=%s", test_page_id, via)
    return AckResult(True, "Test page confirmed: it got through to you. Thank you.")


def last_confirmed(member: Member) -> TestPage | None:
    return member.test_pages.filter(confirmed_at__isnull=False).order_by("-confirmed_at").first()


def confirmation_rows(zone_for) -> list[tuple[Member, str]]:
    """Return (member, when they last confirmed a test page, formatted) for every member on a rota or leading a team.

    ``zone_for(member)`` gives the zone to show each time in; an empty string means never confirmed.
    """
    from django.db.models import Q

    from oohdesk.zones import format_local

    members = Member.objects.filter(Q(rota_memberships__isnull=False) | Q(teams_led__isnull=False)).distinct().order_by("name")
    rows = []
    for member in members:
        confirmed = last_confirmed(member)
        rows.append((member, format_local(confirmed.confirmed_at, zone_for(member)) if confirmed else ""))
    return rows
