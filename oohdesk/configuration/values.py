"""Parsers and formatters for the scalar values of the configuration file.

Each parser takes a value as YAML loaded it and returns the stored form, or
raises ValueError with a message that shows the value and what to write
instead. The caller adds the path.
"""

import json
import re
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug

from oohdesk.hours.calendar import MIDNIGHT
from oohdesk.hours.models import WEEKDAYS
from oohdesk.zones import get_zone, is_valid_zone, parse_instant

# Upper bounds of the model fields the values are stored in: PositiveIntegerField
# and PositiveSmallIntegerField hold at most these on every database Django supports.
MAX_SECONDS = 2_147_483_647
MAX_SMALL = 32_767

DURATION_UNITS = {"s": 1, "m": 60, "h": 3600}
DURATION_PATTERN = re.compile(r"(\d+)([smh])")
CLOCK_TIME_PATTERN = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
OPENING_PATTERN = re.compile(r"(\d\d:\d\d)\s*-\s*(\d\d:\d\d)")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


def show(value) -> str:
    """Format a value from the file for an error message, strings in double quotes."""
    if isinstance(value, (date, time)):
        return f'"{value.isoformat()}"'
    return json.dumps(value, ensure_ascii=False, default=str)


def describe_type(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return show(value)


def parse_text(value, max_length: int, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or not (value.strip() or allow_empty):
        raise ValueError(f"{describe_type(value)} is not a name; write some text")
    if len(value) > max_length:
        raise ValueError(f"is {len(value)} characters long; use at most {max_length}")
    return value


def parse_slug(value) -> str:
    """Return a slug that fits a SlugField (max 50 characters)."""
    try:
        if not isinstance(value, str):
            raise ValidationError("not text")
        validate_slug(value)
    except ValidationError:
        raise ValueError(
            f"{describe_type(value)} is not a slug; use letters, digits, hyphens and underscores, such as uk-office"
        ) from None
    if len(value) > 50:
        raise ValueError(f"{show(value)} is {len(value)} characters long; use at most 50")
    return value


def parse_email(value, max_length: int = 254) -> str:
    """Return an email address that Django's validate_email accepts and that fits ``max_length``."""
    try:
        if not isinstance(value, str):
            raise ValidationError("not text")
        validate_email(value)
    except ValidationError:
        raise ValueError(f"{describe_type(value)} is not an email address; use a form such as alice@agency.example") from None
    if len(value) > max_length:
        raise ValueError(f"{show(value)} is {len(value)} characters long; use at most {max_length}")
    return value


def parse_zone(value) -> str:
    if not isinstance(value, str) or not is_valid_zone(value):
        raise ValueError(f"{describe_type(value)} is not an IANA time zone; use a name such as Europe/London")
    return value


def parse_bool(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{describe_type(value)} is not true or false; write true or false")
    return value


def parse_count(value) -> int:
    """Return a whole number from 0 to MAX_SMALL."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SMALL:
        raise ValueError(f"{describe_type(value)} is not a whole number from 0 to {MAX_SMALL}")
    return value


def parse_duration(value, minimum: int = 0) -> int:
    """Return seconds from a whole number of seconds or text such as "90s", "5m" or "2h"."""
    seconds = None
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and (match := DURATION_PATTERN.fullmatch(value)):
        seconds = int(match[1]) * DURATION_UNITS[match[2]]
    if seconds is None:
        raise ValueError(
            f"{describe_type(value)} is not a duration; use whole seconds or a whole number "
            "followed by s, m or h, such as 90s, 5m or 2h"
        )
    if seconds < minimum:
        raise ValueError(f"{show(value)} is too short; use at least {format_duration(minimum)}")
    if seconds > MAX_SECONDS:
        raise ValueError(f"{show(value)} is too long; use at most {MAX_SECONDS}s")
    return seconds


def parse_duration_text(text: str) -> int:
    """Return seconds from command-line or query text: whole seconds ("90") or "90s", "5m", "2h"."""
    return parse_duration(int(text) if text.isdigit() else text)


def format_duration(seconds: int) -> str:
    """Format seconds in the largest unit that divides them exactly: 300 is "5m", 90 is "90s"."""
    for unit in ("h", "m"):
        size = DURATION_UNITS[unit]
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def parse_clock_time(value) -> time:
    """Return the time of day from "HH:MM" on the 24-hour clock."""
    match = CLOCK_TIME_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{describe_type(value)} is not a time; use HH:MM on the 24-hour clock, such as \"09:00\"")
    return time(int(match[1]), int(match[2]))


def format_clock_time(value: time) -> str:
    return f"{value:%H:%M}"


def parse_opening(value) -> tuple[time, time]:
    """Return (opens, closes) from "HH:MM-HH:MM".

    Closing is exclusive, and a closing time of 00:00 or 24:00 means midnight
    at the end of the day; either is stored as 00:00.
    """
    match = OPENING_PATTERN.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{describe_type(value)} is not an opening; use HH:MM-HH:MM, such as \"09:00-17:30\"")
    if match[1] == "24:00":
        raise ValueError(f"{show(value)} opens at 24:00, which is only a closing time; open at 00:00 instead")
    opens = parse_clock_time(match[1])
    closes = MIDNIGHT if match[2] == "24:00" else parse_clock_time(match[2])
    if closes != MIDNIGHT and closes <= opens:
        raise ValueError(
            f"{show(value)} does not close after it opens; an opening cannot cross midnight, "
            f"so end it at 24:00 and continue on the next day from 00:00"
        )
    return opens, closes


def format_opening(opens: time, closes: time) -> str:
    return f"{format_clock_time(opens)}-{format_clock_time(closes)}"


def parse_weekday(value) -> int:
    """Return 0 for Monday to 6 for Sunday from the English day name, in any case."""
    if not isinstance(value, str) or value.lower() not in WEEKDAYS:
        raise ValueError(f"{describe_type(value)} is not a weekday; use monday to sunday")
    return WEEKDAYS.index(value.lower())


def parse_date(value) -> date:
    """Return a date from a YAML date or ISO 8601 text such as 2026-01-05."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and DATE_PATTERN.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{describe_type(value)} is not a date; use YYYY-MM-DD, such as 2026-01-05")


HANDOVER_NOTICE_WORDS = ("working_day_before", "off")


def parse_handover_notice(value) -> tuple[str, int]:
    """Return (mode, seconds) from "working_day_before", "off" or a duration before the handover such as "2h"."""
    if value is False:
        # YAML 1.1 reads an unquoted off as false.
        return "off", 0
    if value in HANDOVER_NOTICE_WORDS:
        return value, 0
    try:
        return "before", parse_duration(value, minimum=1)
    except ValueError:
        raise ValueError(
            f"{describe_type(value)} is not a handover notice; use working_day_before, off, "
            "or a duration before the handover such as 2h"
        ) from None


def format_handover_notice(mode: str, seconds: int) -> str:
    return format_duration(seconds) if mode == "before" else mode


def parse_local_instant(value, zone_name: str) -> datetime:
    """Return a UTC instant from a date and time, read in ``zone_name`` unless it carries an offset.

    A local time the clocks skip takes the offset before the change, and one they repeat means its first occurrence.
    """
    if isinstance(value, datetime):
        value = value.isoformat()
    if not isinstance(value, str) or "T" not in value and " " not in value:
        raise ValueError(f"{describe_type(value)} is not a date and time; use YYYY-MM-DDTHH:MM, such as \"2026-12-24T18:00\"")
    try:
        return parse_instant(value, get_zone(zone_name))
    except ValueError as error:
        raise ValueError(str(error)) from None


def format_local_instant(at: datetime, zone_name: str) -> str:
    """Format an instant in ``zone_name`` with its offset, such as "2026-12-24T18:00+00:00", which reads back exactly."""
    return at.astimezone(get_zone(zone_name)).isoformat(timespec="minutes")
