"""A description of one moment in a calendar, shared by ``oohdesk hours``, the API and the staff pages."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from oohdesk.configuration.values import format_duration
from oohdesk.hours.models import BusinessCalendar


@dataclass(frozen=True)
class HoursReport:
    at: datetime
    in_hours: bool
    next_opening: datetime | None
    holiday: str | None
    """The name of the region's public holiday on the local date of ``at``."""
    closure: str | None
    """The name of the agency's closure covering the local date of ``at``."""
    one_off_opening: str | None
    """The name of a one-off opening on the local date of ``at``, which replaces that day's usual hours."""
    added: timedelta | None = None
    result: datetime | None = None
    """``at`` plus ``added`` of working time; None without ``added`` or when it cannot be reached."""


def report_hours(calendar: BusinessCalendar, at: datetime, added: timedelta | None = None) -> HoursReport:
    """Describe ``at`` in ``calendar``: in hours or not, the next opening, and why the day is closed or open."""
    closures = calendar.closures_in_force()
    hours = calendar.working_hours(closures)
    day = at.astimezone(calendar.zone).date()
    closure = closures.agency_closure_on(day)
    one_off = calendar.one_off_openings.filter(date=day).first()
    return HoursReport(
        at=at,
        in_hours=hours.is_open(at),
        next_opening=hours.next_opening(at),
        holiday=closures.holiday_on(day),
        closure=closure.name if closure else None,
        one_off_opening=one_off.name if one_off else None,
        added=added,
        result=hours.add(at, added) if added is not None else None,
    )


def report_json(calendar: BusinessCalendar, report: HoursReport, format_time: Callable[[datetime | None], str | None]) -> dict:
    """Render ``report`` as the object that ``oohdesk hours --json`` and the API print, with ``format_time`` for instants."""
    return {
        "calendar": calendar.slug,
        "at": format_time(report.at),
        "in_hours": report.in_hours,
        "next_opening": format_time(report.next_opening),
        "holiday": report.holiday,
        "closure": report.closure,
        "one_off_opening": report.one_off_opening,
        "add": format_duration(int(report.added.total_seconds())) if report.added is not None else None,
        "result": format_time(report.result),
    }
