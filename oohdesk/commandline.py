"""Shared pieces of the query commands (oncall, hours, triage): picking objects, parsing times, output."""

import json
from datetime import datetime, timezone

from django.core.management.base import CommandError

from oohdesk.hours.models import BusinessCalendar
from oohdesk.rota.models import Team
from oohdesk.zones import parse_instant


def pick_team(slug: str | None) -> Team:
    """Return the team named by ``slug``, or the only team when ``slug`` is None."""
    return _pick(Team.objects.select_related("calendar", "rota"), slug, "team", "--team")


def pick_calendar(slug: str | None) -> BusinessCalendar:
    return _pick(BusinessCalendar.objects.all(), slug, "calendar", "--calendar")


def _pick(queryset, slug, noun: str, option: str):
    if slug:
        found = queryset.filter(slug=slug).first()
        if found is None:
            known = ", ".join(queryset.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No {noun} with slug {slug!r}; known: {known}.")
        return found
    count = queryset.count()
    if count == 1:
        return queryset.get()
    if count == 0:
        raise CommandError(f"No {noun} is configured yet; run `oohdesk config apply FILE` first.")
    known = ", ".join(queryset.values_list("slug", flat=True))
    raise CommandError(f"There are {count} {noun}s; choose one with {option} ({known}).")


def read_at(text: str | None, zone, option: str = "--at") -> datetime:
    """Parse a time option (ISO 8601, local to ``zone`` when it has no offset), or return now."""
    if not text:
        return datetime.now(timezone.utc)
    try:
        return parse_instant(text, zone)
    except ValueError as error:
        raise CommandError(f"{option}: {error}") from None


def iso(at: datetime | None) -> str | None:
    return at.astimezone(timezone.utc).isoformat() if at else None


def emit(command, result: dict, as_json: bool, lines: list[str]) -> None:
    """Write ``result`` as one JSON object, or ``lines`` as text."""
    if as_json:
        command.stdout.write(json.dumps(result))
    else:
        command.stdout.write("\n".join(lines))
