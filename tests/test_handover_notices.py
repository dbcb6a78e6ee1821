"""Handover notices: before each handover, in the member's own zone, once, and never out of hours."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from conftest import utc
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import DemoPhoneMessage, NotificationAttempt
from oohdesk.rota.handovers import queue_handover_notices
from oohdesk.rota.models import HandoverNotice, HandoverNoticeMode
from oohdesk.rota.overrides import add_override

# Monday 14 December 2026 09:00 GMT: Alice hands over to Bob. The working day before is Friday 11 December.
HANDOVER = utc(2026, 12, 14, 9)
FRIDAY_OPENING = utc(2026, 12, 11, 9)


@pytest.fixture
def noticed(team):
    team.rota.handover_notice = HandoverNoticeMode.WORKING_DAY_BEFORE
    team.rota.save()
    return team


def notices(member):
    return NotificationAttempt.objects.filter(member=member, purpose=NotificationAttempt.Purpose.NOTICE)


@pytest.mark.django_db
def test_notices_on_working_day_before(noticed, alice, bob):
    run_once(FRIDAY_OPENING - timedelta(minutes=1))
    assert not notices(bob).exists()
    run_once(FRIDAY_OPENING)
    [incoming] = notices(bob)
    [outgoing] = notices(alice)
    assert incoming.due_at == FRIDAY_OPENING
    assert "09:00 on Monday 14 December 2026 (UK time)" in incoming.body
    assert "test page" in incoming.body
    assert "from Alice" in incoming.body
    assert "to Bob" in outgoing.body
    shown = DemoPhoneMessage.objects.get(member=bob)
    assert shown.urgent is False


@pytest.mark.django_db
def test_notices_queued_once(noticed, alice, bob):
    run_once(FRIDAY_OPENING)
    run_once(FRIDAY_OPENING + timedelta(hours=1))
    assert queue_handover_notices(FRIDAY_OPENING + timedelta(hours=2)) == 0
    assert notices(bob).count() == 1
    assert notices(alice).count() == 1
    assert HandoverNotice.objects.count() == 2


@pytest.mark.django_db
def test_database_refuses_second_notice(noticed, bob):
    HandoverNotice.objects.create(rota=noticed.rota, handover_at=HANDOVER, member=bob, role="incoming", queued_at=FRIDAY_OPENING)
    with pytest.raises(IntegrityError), transaction.atomic():
        HandoverNotice.objects.create(rota=noticed.rota, handover_at=HANDOVER, member=bob, role="incoming", queued_at=FRIDAY_OPENING)


@pytest.mark.django_db
def test_late_engine_waits_for_hours(noticed, alice, bob):
    # The engine first looks on Saturday night: the notices wait for Monday's opening, not the small hours.
    run_once(utc(2026, 12, 12, 23))
    [incoming] = notices(bob)
    assert incoming.due_at == utc(2026, 12, 14, 9)


@pytest.mark.django_db
def test_member_zone_in_notice(noticed, bob):
    bob.time_zone = "America/New_York"
    bob.save()
    run_once(FRIDAY_OPENING)
    [incoming] = notices(bob)
    assert "04:00 on Monday 14 December 2026 (America/New_York)" in incoming.body


@pytest.mark.django_db
def test_override_handover_noticed(noticed, alice, charlie):
    add_override(noticed.rota, charlie, utc(2026, 12, 12, 18), utc(2026, 12, 13, 18), utc(2026, 12, 1), "test", notify=False)
    queue_handover_notices(FRIDAY_OPENING)
    titles = list(notices(charlie).values_list("title", flat=True))
    assert titles == [
        "You are on call for Web team from 18:00 on Saturday 12 December 2026 (UK time)",
        "Your on-call shift for Web team ends at 18:00 on Sunday 13 December 2026 (UK time)",
    ]


@pytest.mark.django_db
def test_off_sends_nothing(team, alice, bob):
    run_once(FRIDAY_OPENING)
    assert not notices(bob).exists()


@pytest.mark.django_db
def test_set_time_before(noticed, bob):
    noticed.rota.handover_notice = HandoverNoticeMode.BEFORE
    noticed.rota.handover_notice_seconds = 2 * 3600
    noticed.rota.save()
    queue_handover_notices(utc(2026, 12, 14, 6, 59))
    assert not notices(bob).exists()
    queue_handover_notices(utc(2026, 12, 14, 7, 0))
    [incoming] = notices(bob)
    # 07:00 is before the office opens, so the notice waits for 09:00.
    assert incoming.due_at == HANDOVER


@pytest.mark.django_db(transaction=True)
def test_two_engines_queue_once(noticed, alice, bob):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def engine_pass(_):
        try:
            return queue_handover_notices(FRIDAY_OPENING)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        queued = list(pool.map(engine_pass, range(4)))
    assert sum(queued) == 2
    assert notices(bob).count() == 1
    assert notices(alice).count() == 1
