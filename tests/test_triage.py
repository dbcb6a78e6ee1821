from datetime import time

import pytest
from zoneinfo import ZoneInfo

from conftest import utc
from oohdesk.hours.calendar import Interval, WorkingHours
from oohdesk.tickets.triage import Priority, decide, priority_for

OFFICE = WorkingHours(ZoneInfo("Europe/London"), [Interval(day, time(9), time(17, 30)) for day in range(5)])


@pytest.mark.parametrize(
    ("site_down", "affects_half", "expected"),
    [(True, True, Priority.P1), (True, False, Priority.P2), (False, True, Priority.P2), (False, False, Priority.P3)],
)
def test_priority_from_answers(site_down, affects_half, expected):
    assert priority_for(site_down, affects_half) == expected


@pytest.mark.parametrize("priority", [Priority.P1, Priority.P2])
def test_urgent_pages_in_hours(priority):
    decision = decide(priority, OFFICE, utc(2026, 12, 2, 11, 0))  # Wednesday 11:00 GMT
    assert decision.pages
    assert not decision.out_of_hours
    assert decision.release_at is None


@pytest.mark.parametrize("priority", [Priority.P1, Priority.P2])
def test_urgent_pages_out_of_hours(priority):
    decision = decide(priority, OFFICE, utc(2026, 12, 5, 3, 0))  # Saturday night
    assert decision.pages
    assert decision.out_of_hours
    assert decision.release_at is None


def test_normal_in_hours_not_held():
    decision = decide(Priority.P3, OFFICE, utc(2026, 12, 2, 11, 0))
    assert not decision.pages
    assert not decision.out_of_hours
    assert decision.release_at is None


def test_normal_out_of_hours_held_to_opening():
    decision = decide(Priority.P3, OFFICE, utc(2026, 12, 4, 18, 0))  # Friday 18:00 GMT
    assert not decision.pages
    assert decision.out_of_hours
    assert decision.release_at == utc(2026, 12, 7, 9, 0)  # Monday 09:00 GMT
