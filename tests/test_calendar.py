from datetime import time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zoneinfo import ZoneInfo

from conftest import utc
from oohdesk.hours.calendar import Interval, WorkingHours

LONDON = ZoneInfo("Europe/London")
OFFICE = WorkingHours(LONDON, [Interval(day, time(9), time(17, 30)) for day in range(5)])


def test_closing_time_is_exclusive():
    assert OFFICE.is_open(utc(2026, 12, 2, 17, 29, 59, 999999))
    assert not OFFICE.is_open(utc(2026, 12, 2, 17, 30))


def test_opening_time_is_inclusive():
    assert not OFFICE.is_open(utc(2026, 12, 2, 8, 59, 59))
    assert OFFICE.is_open(utc(2026, 12, 2, 9, 0))


def test_summer_hours_follow_local_time():
    # 09:00 BST is 08:00 UTC.
    assert OFFICE.is_open(utc(2026, 7, 1, 8, 0))
    assert not OFFICE.is_open(utc(2026, 7, 1, 7, 59))


def test_next_opening_skips_weekend():
    assert OFFICE.next_opening(utc(2026, 12, 4, 17, 30)) == utc(2026, 12, 7, 9, 0)


def test_next_opening_across_spring_clock_change():
    # Clocks go forward on Sunday 29 March 2026; Monday 09:00 BST is 08:00 UTC.
    assert OFFICE.next_opening(utc(2026, 3, 27, 18, 0)) == utc(2026, 3, 30, 8, 0)


def test_next_opening_across_autumn_clock_change():
    # Clocks go back on Sunday 25 October 2026; Monday 09:00 GMT is 09:00 UTC.
    assert OFFICE.next_opening(utc(2026, 10, 23, 18, 0)) == utc(2026, 10, 26, 9, 0)


def test_next_opening_while_open_is_next_period():
    assert OFFICE.next_opening(utc(2026, 12, 2, 10, 0)) == utc(2026, 12, 3, 9, 0)


def test_lunch_break_is_closed():
    hours = WorkingHours(LONDON, [Interval(0, time(9), time(12, 30)), Interval(0, time(13, 30), time(17, 30))])
    assert not hours.is_open(utc(2026, 12, 7, 13, 0))
    assert hours.next_opening(utc(2026, 12, 7, 13, 0)) == utc(2026, 12, 7, 13, 30)


def test_touching_intervals_merge():
    hours = WorkingHours(LONDON, [Interval(0, time(9), time(12)), Interval(0, time(12), time(17))])
    assert hours.is_open(utc(2026, 12, 7, 12, 0))
    assert hours.next_opening(utc(2026, 12, 7, 10, 0)) == utc(2026, 12, 14, 9, 0)


def test_round_the_clock_has_no_gap():
    always = WorkingHours(LONDON, [Interval(day, time(0), time(0)) for day in range(7)])
    assert always.is_open(utc(2026, 12, 6, 23, 59, 59))
    assert always.is_open(utc(2026, 12, 7, 0, 0))
    assert always.next_opening(utc(2026, 12, 7, 0, 0)) is None


def test_closed_days_are_skipped():
    christmas = {utc(2026, 12, 25).date()}
    hours = WorkingHours(LONDON, [Interval(day, time(9), time(17)) for day in range(5)], lambda day: day in christmas)
    assert not hours.is_open(utc(2026, 12, 25, 10, 0))
    assert hours.next_opening(utc(2026, 12, 24, 18, 0)) == utc(2026, 12, 28, 9, 0)


def test_never_open_calendar():
    assert WorkingHours(LONDON, []).next_opening(utc(2026, 12, 2, 10, 0)) is None
    assert not WorkingHours(LONDON, []).is_open(utc(2026, 12, 2, 10, 0))


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=utc(2026, 1, 1).replace(tzinfo=None), max_value=utc(2028, 12, 31).replace(tzinfo=None)))
def test_next_opening_is_open_and_after(naive):
    at = naive.replace(tzinfo=ZoneInfo("UTC"))
    opening = OFFICE.next_opening(at)
    assert opening > at
    assert OFFICE.is_open(opening)
    assert not OFFICE.is_open(opening - timedelta(microseconds=1))


@pytest.mark.parametrize("zone_name", ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"])
def test_opening_is_local_nine(zone_name):
    zone = ZoneInfo(zone_name)
    hours = WorkingHours(zone, [Interval(day, time(9), time(17)) for day in range(5)])
    opening = hours.next_opening(utc(2026, 3, 28, 12, 0))
    local = opening.astimezone(zone)
    assert (local.hour, local.minute) == (9, 0)
    assert local.weekday() < 5
