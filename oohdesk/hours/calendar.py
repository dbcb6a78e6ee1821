"""Working-hours arithmetic: the one place that says whether a time is in hours.

Opening intervals are wall-clock times in the calendar's zone and closing
times are exclusive. A closing time of 00:00 means midnight at the end of the
day, so 00:00-00:00 every day makes a round-the-clock calendar. Periods that
touch (a 12:00 close and a 12:00 open, or midnight) merge into one.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oohdesk.zones import local_to_utc

MIDNIGHT = time(0, 0)

# How far ahead to look for the next opening: more than a year, so a long
# closure never makes a calendar look permanently shut.
SEARCH_DAYS = 400


@dataclass(frozen=True)
class Interval:
    """One weekly opening: weekday 0 is Monday, ``closes`` is exclusive."""

    weekday: int
    opens: time
    closes: time

    def ends_at_midnight(self) -> bool:
        return self.closes == MIDNIGHT


class WorkingHours:
    """A calendar's weekly openings in its zone, minus any closed days."""

    def __init__(
        self,
        zone: ZoneInfo,
        intervals: list[Interval],
        is_closed_day: Callable[[date], bool] | None = None,
    ):
        self.zone = zone
        self._by_weekday: dict[int, list[Interval]] = {day: [] for day in range(7)}
        for interval in sorted(intervals, key=lambda item: (item.weekday, item.opens)):
            self._by_weekday[interval.weekday].append(interval)
        self._is_closed_day = is_closed_day or (lambda day: False)

    def is_open(self, at: datetime) -> bool:
        """Return whether the aware instant ``at`` falls inside working hours."""
        for start, end in self._periods_around(at):
            if start > at:
                return False
            if at < end:
                return True
        return False

    def next_opening(self, at: datetime) -> datetime | None:
        """Return the first start of working hours strictly after ``at``, in UTC.

        While ``at`` is in hours this is the start of the following period, and
        a calendar that never closes has none, so the result is None.
        """
        for start, _end in self._periods_around(at):
            if start > at:
                return start
        return None

    def _periods_around(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        first_day = at.astimezone(self.zone).date() - timedelta(days=1)
        return self._merged_periods(first_day)

    def _merged_periods(self, first_day: date) -> Iterator[tuple[datetime, datetime]]:
        current: tuple[datetime, datetime] | None = None
        for start, end in self._raw_periods(first_day):
            if current is not None and start <= current[1]:
                current = (current[0], max(current[1], end))
                continue
            if current is not None:
                yield current
            current = (start, end)
        if current is not None:
            yield current

    def _raw_periods(self, first_day: date) -> Iterator[tuple[datetime, datetime]]:
        for offset in range(SEARCH_DAYS):
            day = first_day + timedelta(days=offset)
            if self._is_closed_day(day):
                continue
            for interval in self._by_weekday[day.weekday()]:
                start = local_to_utc(day, interval.opens, self.zone)
                close_day = day + timedelta(days=1) if interval.ends_at_midnight() else day
                end = local_to_utc(close_day, interval.closes, self.zone)
                if end > start:
                    yield start, end
