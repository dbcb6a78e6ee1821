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


# Adding working time.

ALWAYS = WorkingHours(LONDON, [Interval(day, time(0), time(0)) for day in range(7)])
LUNCH = WorkingHours(LONDON, [Interval(day, time(9), time(12, 30)) for day in range(5)] + [Interval(day, time(13, 30), time(17, 30)) for day in range(5)])


def test_add_within_day():
    assert OFFICE.add(utc(2026, 12, 2, 10, 0), timedelta(hours=4)) == utc(2026, 12, 2, 14, 0)


def test_add_over_weekend():
    # Friday 15:00 plus 4 working hours: 2h30 on Friday, 1h30 on Monday.
    assert OFFICE.add(utc(2026, 12, 4, 15, 0), timedelta(hours=4)) == utc(2026, 12, 7, 10, 30)


def test_add_from_out_of_hours():
    assert OFFICE.add(utc(2026, 12, 5, 3, 0), timedelta(hours=4)) == utc(2026, 12, 7, 13, 0)


def test_add_to_closing_time():
    assert OFFICE.add(utc(2026, 12, 2, 13, 30), timedelta(hours=4)) == utc(2026, 12, 2, 17, 30)


def test_add_zero():
    assert OFFICE.add(utc(2026, 12, 2, 10, 0), timedelta(0)) == utc(2026, 12, 2, 10, 0)
    assert OFFICE.add(utc(2026, 12, 2, 17, 30), timedelta(0)) == utc(2026, 12, 3, 9, 0)


def test_add_uses_up_day():
    # 7h30 from midnight is the whole working day, so it ends at the closing time, not the next opening.
    assert LUNCH.add(utc(2026, 1, 1, 0, 0), timedelta(minutes=450)) == utc(2026, 1, 1, 17, 30)
    assert LUNCH.add(utc(2026, 1, 1, 0, 0), timedelta(minutes=451)) == utc(2026, 1, 2, 9, 1)


def test_add_skips_lunch():
    assert LUNCH.add(utc(2026, 12, 7, 11, 30), timedelta(hours=2)) == utc(2026, 12, 7, 14, 30)


def test_add_across_spring_change():
    # Friday 27 March 2026 16:00 GMT; Monday 30 March opens at 09:00 BST, 08:00 UTC.
    assert OFFICE.add(utc(2026, 3, 27, 16, 0), timedelta(hours=4)) == utc(2026, 3, 30, 10, 30)


def test_add_round_the_clock_counts_elapsed():
    # The night of 28 March 2027 has 23 hours, so 2 hours from 00:30 GMT is 03:30 BST.
    assert ALWAYS.add(utc(2027, 3, 28, 0, 30), timedelta(hours=2)) == utc(2027, 3, 28, 2, 30)
    assert ALWAYS.add(utc(2026, 10, 25, 0, 30), timedelta(hours=2)) == utc(2026, 10, 25, 2, 30)


def test_add_never_open():
    assert WorkingHours(LONDON, []).add(utc(2026, 12, 2, 10, 0), timedelta(hours=1)) is None


def test_add_negative_rejected():
    with pytest.raises(ValueError):
        OFFICE.add(utc(2026, 12, 2, 10, 0), timedelta(hours=-1))


def test_add_near_year_9999():
    assert OFFICE.add(utc(9998, 12, 1, 10, 0), timedelta(hours=100_000)) is None


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=utc(2026, 1, 1).replace(tzinfo=None), max_value=utc(2028, 12, 31).replace(tzinfo=None)),
    st.integers(min_value=0, max_value=60 * 60),
    st.integers(min_value=1, max_value=60 * 60),
)
def test_add_is_additive(naive, first_minutes, second_minutes):
    # The second step is at least a minute: adding nothing to a closing instant
    # moves it to the next opening, which the single add does not do.
    at = naive.replace(tzinfo=ZoneInfo("UTC"))
    first, second = timedelta(minutes=first_minutes), timedelta(minutes=second_minutes)
    assert LUNCH.add(at, first + second) == LUNCH.add(LUNCH.add(at, first), second)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=utc(2026, 1, 1).replace(tzinfo=None), max_value=utc(2028, 12, 31).replace(tzinfo=None)),
    st.integers(min_value=1, max_value=60 * 60),
)
def test_add_ends_in_hours(naive, minutes):
    at = naive.replace(tzinfo=ZoneInfo("UTC"))
    result = LUNCH.add(at, timedelta(minutes=minutes))
    assert result > at
    assert LUNCH.is_open(result - timedelta(microseconds=1))
