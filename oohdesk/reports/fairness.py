"""Rota fairness: how many weeks, weekend days and bank holidays each member has been on call.

A day counts for whoever is on call at 12:00 on that date in the rota's zone,
so each day goes to exactly one person even when a handover falls on it.
Weeks are days divided by 7 and weekends are weekend days divided by 2. Bank
holidays are those of the team's calendar region (see ``calendar_bank_holidays``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from oohdesk.hours.regions import public_holidays
from oohdesk.rota.models import Team
from oohdesk.zones import get_zone, local_to_utc

NOON = time(12, 0)
# Two years of days is enough to judge fairness and keeps one report to a few thousand look-ups.
MAX_DAYS = 731


def calendar_bank_holidays(calendar, first: date, last: date) -> dict[date, str]:
    """Return the public holidays of the calendar's region from ``first`` to ``last``, by date.

    The region is the calendar's ``country`` and ``subdivision``, and the
    holidays are the ones that close the calendar (substitute days included).
    A calendar without a region has none. Agency closures are not bank holidays.
    """
    found = {}
    for year in range(first.year, last.year + 1):
        for day, name in public_holidays(calendar.country, calendar.subdivision, year).items():
            if first <= day <= last:
                found[day] = name
    return dict(sorted(found.items()))


@dataclass
class FairnessRow:
    team: Team
    member: object
    days: int = 0
    weekend_days: int = 0
    bank_holidays: list = field(default_factory=list)

    @property
    def weeks(self) -> float:
        return self.days / 7

    @property
    def weekends(self) -> float:
        return self.weekend_days / 2


def fairness(
    since: date,
    until: date,
    holidays_for: Callable[[object, date, date], dict[date, str]] = calendar_bank_holidays,
) -> list[FairnessRow]:
    """Return one row per team and rota member for the dates ``since`` to ``until``, both included.

    Everyone on a rota has a row, with zeros if they were never on call, and
    so does anyone who was on call in the period but has since left the rota.
    """
    if (until - since).days + 1 > MAX_DAYS:
        raise ValueError(f"Choose at most {MAX_DAYS} days for rota fairness.")
    rows = []
    for team in Team.objects.select_related("rota", "calendar").order_by("name"):
        rota = getattr(team, "rota", None)
        if rota is None:
            continue
        rows.extend(_team_rows(team, rota, since, until, holidays_for(team.calendar, since, until)))
    return rows


def _team_rows(team: Team, rota, since: date, until: date, bank_holidays: dict[date, str]) -> list[FairnessRow]:
    zone = get_zone(rota.time_zone)
    by_member = {member.id: FairnessRow(team=team, member=member) for member in rota.members.order_by("name")}
    day = since
    while day <= until:
        member = team.on_call_at(local_to_utc(day, NOON, zone))
        if member is not None:
            row = by_member.setdefault(member.id, FairnessRow(team=team, member=member))
            row.days += 1
            row.weekend_days += day.weekday() >= 5
            if day in bank_holidays:
                row.bank_holidays.append((day, bank_holidays[day]))
        day += timedelta(days=1)
    return list(by_member.values())
