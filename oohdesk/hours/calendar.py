"""Working-hours arithmetic: the one place that says whether a time is in hours.

Opening intervals are wall-clock times in the calendar's zone and closing
times are exclusive. A closing time of 00:00 means midnight at the end of the
day, so 00:00-00:00 every day makes a round-the-clock calendar. Periods that
touch (a 12:00 close and a 12:00 open, or midnight) merge into one.

A day's openings come from one of three places, first match wins: the
one-off openings of that date, nothing when the day is closed (a public
holiday or one of the agency's closures), or the weekly openings of its
weekday. So a one-off opening can open a bank holiday or shorten a normal day.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oohdesk.zones import local_to_utc

MIDNIGHT = time(0, 0)

# How far ahead to look for the next opening: more than a year, so a long
# closure never makes a calendar look permanently shut.
SEARCH_DAYS = 400

# How far ahead "t plus N working hours" looks before giving up: about ten
# years, far beyond any response target, and still quick to walk day by day.
ADD_HORIZON_DAYS = 3660


@dataclass(frozen=True)
class Interval:
    """One weekly opening: weekday 0 is Monday, ``closes`` is exclusive."""

    weekday: int
    opens: time
    closes: time

    def ends_at_midnight(self) -> bool:
        return self.closes == MIDNIGHT


class WorkingHours:
    """A calendar's weekly openings in its zone, minus closed days, plus one-off openings."""

    def __init__(
        self,
        zone: ZoneInfo,
        intervals: list[Interval],
        is_closed_day: Callable[[date], bool] | None = None,
        one_off_openings: Mapping[date, Sequence[tuple[time, time]]] | None = None,
    ):
        self.zone = zone
        self._by_weekday: dict[int, list[tuple[time, time]]] = {day: [] for day in range(7)}
        for interval in sorted(intervals, key=lambda item: (item.weekday, item.opens)):
            self._by_weekday[interval.weekday].append((interval.opens, interval.closes))
        self._is_closed_day = is_closed_day or (lambda day: False)
        self._one_off = {day: sorted(openings) for day, openings in (one_off_openings or {}).items()}

    def openings_on(self, day: date) -> list[tuple[time, time]]:
        """Return the (opens, closes) wall-clock openings of a local date, after closures and one-off openings."""
        if day in self._one_off:
            return self._one_off[day]
        if self._is_closed_day(day):
            return []
        return self._by_weekday[day.weekday()]

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

    def add(self, at: datetime, duration: timedelta) -> datetime | None:
        """Return the instant, in UTC, at which ``duration`` of working time has passed since ``at``.

        Only time inside working hours counts, as elapsed time, so a working
        hour across a clock change is a real hour. Using up a period exactly
        returns its closing instant. A zero duration returns ``at`` when it is
        in hours, else the next opening. None means the calendar does not
        provide that much working time within ADD_HORIZON_DAYS.
        """
        if duration < timedelta(0):
            raise ValueError("the duration of working time to add must not be negative")
        remaining = duration
        counted_until = at
        first_day = at.astimezone(self.zone).date() - timedelta(days=1)
        for start, end in self._raw_periods(first_day, ADD_HORIZON_DAYS):
            # Periods may touch or overlap, so time already counted is skipped.
            start = max(start, counted_until)
            if end <= start:
                continue
            if remaining <= end - start:
                return start + remaining
            remaining -= end - start
            counted_until = end
        return None

    def _periods_around(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        first_day = at.astimezone(self.zone).date() - timedelta(days=1)
        return self._merged_periods(first_day)

    def _merged_periods(self, first_day: date) -> Iterator[tuple[datetime, datetime]]:
        current: tuple[datetime, datetime] | None = None
        for start, end in self._raw_periods(first_day, SEARCH_DAYS):
            if current is not None and start <= current[1]:
                current = (current[0], max(current[1], end))
                continue
            if current is not None:
                yield current
            current = (start, end)
        if current is not None:
            yield current

    def _raw_periods(self, first_day: date, days: int) -> Iterator[tuple[datetime, datetime]]:
        # Python's dates end in the year 9999; a midnight close and a UTC
        # offset can each reach one day past the local date.
        last_day = date.max - timedelta(days=2)
        if (last_day - first_day).days >= days:
            last_day = first_day + timedelta(days=days - 1)
        day = first_day
        while day <= last_day:
            for opens, closes in self.openings_on(day):
                start = local_to_utc(day, opens, self.zone)
                close_day = day + timedelta(days=1) if closes == MIDNIGHT else day
                end = local_to_utc(close_day, closes, self.zone)
                if end > start:
                    yield start, end
            day += timedelta(days=1)
