"""The dashboard at a glance: the on-call person's own clock, held tickets and this week's interruptions."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from oohdesk.reports.figures import Period, wellbeing
from oohdesk.tickets.models import Ticket
from oohdesk.zones import zone_label


def local_clock(member, at: datetime) -> str:
    """Return the member's own time at ``at``, such as "03:12 on Tue (America/New_York)"."""
    local = at.astimezone(member.zone)
    return f"{local:%H:%M} on {local:%a} ({zone_label(member.zone)})"


@dataclass(frozen=True)
class HeldRow:
    ticket: Ticket
    release: str
    deferred: bool


def held_rows(at: datetime, viewer, short_time) -> list[HeldRow]:
    """Return the P3 tickets waiting for working hours, soonest release first."""
    tickets = Ticket.objects.filter(status=Ticket.Status.HELD).select_related("team__calendar").order_by("release_at")
    rows = []
    for ticket in tickets:
        zone = viewer.zone if viewer else ticket.team.calendar.zone
        rows.append(HeldRow(ticket=ticket, release=short_time(ticket.release_at, zone), deferred=ticket.is_deferred))
    return rows


@dataclass(frozen=True)
class WeekInterruptions:
    since: datetime
    zone: ZoneInfo
    rows: list


def this_week(at: datetime, zone: ZoneInfo) -> WeekInterruptions:
    """Return each person's interruptions since Monday 00:00 in ``zone``, most interrupted first."""
    today = at.astimezone(zone).date()
    period = Period(today - timedelta(days=today.weekday()), today, zone)
    figures = wellbeing(period)
    rows = [(figures.members[member_id], tally) for member_id, tally in figures.people.items() if tally.interruptions]
    rows.sort(key=lambda row: (-row[1].interruptions, row[0].name))
    return WeekInterruptions(since=period.start, zone=zone, rows=rows)
