"""The days a calendar is closed: its region's public holidays and the agency's own closures."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from oohdesk.hours.regions import public_holidays, region_label


class Source:
    """Where a closed day comes from, as the API and the staff pages name it."""

    REGION = "region"
    AGENCY = "agency"


@dataclass(frozen=True)
class ClosedPeriod:
    """One closure: a public holiday (one day) or an agency closure (``first_day`` to ``last_day`` inclusive)."""

    first_day: date
    last_day: date
    name: str
    source: str
    closure_id: int | None = None
    """The stored Closure's id for an agency closure; None for a public holiday."""

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


class Closures:
    """A calendar's closed days; ``is_closed`` is the hook that WorkingHours calls for each day."""

    def __init__(self, country: str, subdivision: str, agency: Iterable[ClosedPeriod] = ()):
        self.country = country
        self.subdivision = subdivision
        self.agency = sorted(agency, key=lambda closure: (closure.first_day, closure.last_day))

    @property
    def region_label(self) -> str:
        return region_label(self.country, self.subdivision)

    def holiday_on(self, day: date) -> str | None:
        """Return the name of the region's public holiday on ``day``, or None."""
        return public_holidays(self.country, self.subdivision, day.year).get(day)

    def agency_closure_on(self, day: date) -> ClosedPeriod | None:
        """Return the first agency closure covering ``day``, or None."""
        return next((closure for closure in self.agency if closure.covers(day)), None)

    def is_closed(self, day: date) -> bool:
        return self.holiday_on(day) is not None or self.agency_closure_on(day) is not None

    def between(self, first_day: date, last_day: date) -> list[ClosedPeriod]:
        """Return every public holiday and agency closure that touches the dates, ordered by first day.

        Holidays come before an agency closure that starts on the same day.
        """
        found = [closure for closure in self.agency if closure.first_day <= last_day and closure.last_day >= first_day]
        for year in range(first_day.year, last_day.year + 1):
            for day, name in public_holidays(self.country, self.subdivision, year).items():
                if first_day <= day <= last_day:
                    found.append(ClosedPeriod(day, day, name, Source.REGION))
        order = {Source.REGION: 0, Source.AGENCY: 1}
        return sorted(found, key=lambda closure: (closure.first_day, order[closure.source], closure.last_day))

    def upcoming(self, today: date, days: int) -> list[ClosedPeriod]:
        """Return the closures that touch ``today`` or the ``days`` - 1 dates after it."""
        return self.between(today, today + timedelta(days=days - 1))
