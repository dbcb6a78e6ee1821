"""Helpers that set up business calendars and teams for working-hours tests."""

from datetime import datetime, time, timezone

from oohdesk.hours.models import BusinessCalendar, OpeningInterval
from oohdesk.rota.models import Team
from oohdesk.zones import get_zone, local_to_utc

LONDON = get_zone("Europe/London")


def make_calendar(slug: str, country: str = "", subdivision: str = "", opens=time(9), closes=time(17)) -> BusinessCalendar:
    """A Monday-to-Friday calendar in Europe/London closing on the region's public holidays."""
    calendar = BusinessCalendar.objects.create(
        slug=slug, name=slug.title(), time_zone="Europe/London", country=country, subdivision=subdivision
    )
    for weekday in range(5):
        OpeningInterval.objects.create(calendar=calendar, weekday=weekday, opens=opens, closes=closes)
    return calendar


def make_always_open(slug: str = "always") -> BusinessCalendar:
    calendar = BusinessCalendar.objects.create(slug=slug, name="Round the clock", time_zone="Europe/London")
    for weekday in range(7):
        OpeningInterval.objects.create(calendar=calendar, weekday=weekday, opens=time(0), closes=time(0))
    return calendar


def make_team(slug: str, calendar: BusinessCalendar, policy, lead=None) -> Team:
    return Team.objects.create(slug=slug, name=f"{slug.title()} team", calendar=calendar, escalation_policy=policy, lead=lead)


def uk(text: str) -> datetime:
    """Return the UTC instant of a UK wall-clock time written as ISO 8601 without an offset."""
    local = datetime.fromisoformat(text)
    return local_to_utc(local.date(), local.time(), LONDON)


def utc_iso(at: datetime | None) -> str | None:
    """Format an instant the way the command line does."""
    return at.astimezone(timezone.utc).isoformat() if at else None


def api_time(at: datetime) -> str:
    """Format an instant the way the API does: UTC to the second with a Z."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
