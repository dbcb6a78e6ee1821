import pytest

from conftest import make_member, utc
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import DemoPhoneMessage
from oohdesk.paging.notices import queue_notice

FRIDAY_EVENING = utc(2026, 12, 4, 19, 0)
MONDAY_OPENING = utc(2026, 12, 7, 9, 0)


@pytest.mark.django_db
def test_notice_in_hours_due_now(team, alice):
    [attempt] = queue_notice(alice, "Handover on Monday", "You are on call from Monday 09:00.", utc(2026, 12, 4, 10, 0))
    assert attempt.due_at == utc(2026, 12, 4, 10, 0)


@pytest.mark.django_db
def test_notice_out_of_hours_waits(team, alice):
    [attempt] = queue_notice(alice, "Weekly summary", "Two pages this week.", FRIDAY_EVENING)
    assert attempt.due_at == MONDAY_OPENING
    run_once(FRIDAY_EVENING)
    assert not DemoPhoneMessage.objects.filter(member=alice).exists()
    run_once(MONDAY_OPENING)
    shown = DemoPhoneMessage.objects.get(member=alice)
    assert shown.title == "Weekly summary"
    assert shown.urgent is False


@pytest.mark.django_db
def test_notice_without_calendar_due_now(db):
    loner = make_member("dora")
    [attempt] = queue_notice(loner, "Welcome", "Hello.", FRIDAY_EVENING)
    assert attempt.due_at == FRIDAY_EVENING


@pytest.mark.django_db
def test_notice_uses_member_calendar(team, alice, calendar):
    from oohdesk.hours.models import BusinessCalendar, OpeningInterval

    late = BusinessCalendar.objects.create(slug="late", name="Late shift", time_zone="Europe/London")
    OpeningInterval.objects.create(calendar=late, weekday=4, opens="18:00", closes="22:00")
    alice.calendar = late
    alice.save()
    [attempt] = queue_notice(alice, "Note", "In your hours.", FRIDAY_EVENING)
    assert attempt.due_at == FRIDAY_EVENING
