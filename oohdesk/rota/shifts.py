"""Who is on call: weekly shifts computed in the rota's wall-clock time.

A shift runs from one handover to the next. Handovers are found by calendar
date in the rota's zone, never by adding multiples of 168 hours to a UTC
start, so a Monday 09:00 handover stays at 09:00 local time through both
clock changes (and the weeks that contain one are 167 or 169 hours long).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from oohdesk.zones import local_to_utc

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Shift:
    """One on-call week: ``member`` is on call from ``start`` (inclusive) to ``end`` (exclusive)."""

    member: Any
    start: datetime
    end: datetime
    week_number: int


@dataclass(frozen=True)
class RotaPlan:
    zone: ZoneInfo
    handover_weekday: int
    handover_time: time
    start_date: date
    members: list

    def first_handover_date(self) -> date:
        return self.start_date + timedelta(days=(self.handover_weekday - self.start_date.weekday()) % 7)

    def handover_at(self, day: date) -> datetime:
        return local_to_utc(day, self.handover_time, self.zone)

    def shift_at(self, at: datetime) -> Shift | None:
        """Return the shift in force at the aware instant ``at``, or None before the rota starts."""
        if not self.members:
            return None
        local_day = at.astimezone(self.zone).date()
        handover_day = local_day - timedelta(days=(local_day.weekday() - self.handover_weekday) % 7)
        if self.handover_at(handover_day) > at:
            handover_day -= WEEK
        first_day = self.first_handover_date()
        if handover_day < first_day:
            return None
        week_number = (handover_day - first_day).days // 7
        return Shift(
            member=self.members[week_number % len(self.members)],
            start=self.handover_at(handover_day),
            end=self.handover_at(handover_day + WEEK),
            week_number=week_number,
        )

    def next_shift(self, at: datetime) -> Shift | None:
        """Return the shift that follows the one in force at ``at`` (or the first, before the start)."""
        current = self.shift_at(at)
        if current is not None:
            return self.shift_at(current.end)
        if not self.members:
            return None
        return self.shift_at(self.handover_at(self.first_handover_date()))

    def member_after(self, member) -> Any | None:
        """Return the next member in rota order after ``member``, or None if nobody else is on it."""
        if member not in self.members or len(self.members) < 2:
            return None
        index = self.members.index(member)
        return self.members[(index + 1) % len(self.members)]
