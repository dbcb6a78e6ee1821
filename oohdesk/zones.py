"""Wall-clock time helpers shared by calendars, rotas and the command line.

The product's rule for local times that clocks skip or repeat: a time in the
spring-forward gap takes the offset in force before the gap, and a time that
happens twice means its first occurrence. ``fold=0`` gives exactly that with
``zoneinfo``, so every conversion from wall-clock time goes through here.
"""

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


def get_zone(name: str) -> ZoneInfo:
    """Return the IANA zone, raising ValueError with a readable message if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{name!r} is not an IANA time zone; use a name such as Europe/London."
        ) from None


def is_valid_zone(name: str) -> bool:
    return name in available_timezones()


def local_to_utc(day: date, wall_time: time, zone: ZoneInfo) -> datetime:
    """Return the UTC instant of a wall-clock time on a day in a zone (fold=0 rule)."""
    local = datetime.combine(day, wall_time.replace(fold=0), tzinfo=zone)
    return local.astimezone(timezone.utc)


def parse_instant(text: str, zone: ZoneInfo) -> datetime:
    """Parse ISO 8601; a time without an offset is read in ``zone`` by the fold=0 rule."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 date and time; use for example 2026-03-30T09:00 "
            "or 2026-03-30T09:00+01:00."
        ) from None
    # Rotas and calendars look a week or more either side of a time, which near
    # year 1 or 9999 leaves the range of Python's datetime.
    out_of_range = f"{text!r} is out of range; use a date between the years 2 and 9998."
    if not 2 <= parsed.year <= 9998:
        raise ValueError(out_of_range)
    try:
        if parsed.tzinfo is None:
            return local_to_utc(parsed.date(), parsed.time(), zone)
        return parsed.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError(out_of_range) from None


def zone_label(zone: ZoneInfo) -> str:
    """Return the friendly name shown to people beside a time, such as "UK time"."""
    return {"Europe/London": "UK time"}.get(zone.key, zone.key)


def format_local(at: datetime, zone: ZoneInfo) -> str:
    """Format an instant as "09:00 on Tuesday 30 March 2027 (UK time)" in ``zone``."""
    local = at.astimezone(zone)
    return f"{local:%H:%M} on {local:%A} {local.day} {local:%B %Y} ({zone_label(zone)})"
