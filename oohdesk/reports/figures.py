"""Well-being figures: how often and when developers are interrupted, and how fast pages are acknowledged.

Definitions, the same on the reports page, in the CSV files and on the dashboard:

- An interruption is a developer receiving a page: the first sent page or
  admin-alert notification of one page to one member, at its ``sent_at``.
  Notifications that were cancelled, failed or never sent do not count.
- An interruption is out of hours when the team's calendar is closed at that
  time, and at night when it falls between 22:00 and 07:00 in the member's own
  zone.
- A page counts in the week it was opened (``created_at``). It is out of
  hours when the team's calendar is closed at that time.
- Time to acknowledge is from the page opening to its acknowledgement, and
  belongs to the member who acknowledged. The median of an even count is the
  mean of the middle two; the 90th percentile is by nearest rank (the value at
  position ceil(0.9 x n) of the sorted times).
- A page escalated when any step timed out. It escalated past a member when
  they were notified at one step and the page went on to a later step or
  round, or to the admins.
- Weeks start on Monday at 00:00 in the report's zone. Drill tickets never count.
"""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oohdesk.paging.models import NotificationAttempt, Page, PageEvent
from oohdesk.rota.models import Member
from oohdesk.zones import local_to_utc

NIGHT_STARTS = time(22, 0)
NIGHT_ENDS = time(7, 0)
# Escalation of one page ends long before this, so a page's notifications are looked for this far back.
PAGE_LOOKBACK = timedelta(days=7)
PAGE_PURPOSES = [NotificationAttempt.Purpose.PAGE, NotificationAttempt.Purpose.ADMIN_ALERT]


@dataclass(frozen=True)
class Period:
    """The local dates ``first`` to ``last``, both included, in ``zone``."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return local_to_utc(self.first, time(0), self.zone)

    @property
    def end(self) -> datetime:
        return local_to_utc(self.last + timedelta(days=1), time(0), self.zone)

    def weeks(self) -> list[date]:
        """Return the Monday of every week that overlaps the period."""
        monday = week_of_date(self.first)
        mondays = []
        while monday <= self.last:
            mondays.append(monday)
            monday += timedelta(days=7)
        return mondays

    def week_of(self, at: datetime) -> date:
        return week_of_date(at.astimezone(self.zone).date())


def week_of_date(day: date) -> date:
    return day - timedelta(days=day.weekday())


def is_night(at: datetime, zone: ZoneInfo) -> bool:
    """Return whether ``at`` is between 22:00 and 07:00 local time in ``zone``."""
    local = at.astimezone(zone).time()
    return local >= NIGHT_STARTS or local < NIGHT_ENDS


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile_90(values: list[float]) -> float | None:
    """Return the 90th percentile by nearest rank, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


class _HoursCache:
    """Each team calendar's WorkingHours, built once per report."""

    def __init__(self):
        self._by_calendar = {}

    def is_open(self, calendar, at: datetime) -> bool:
        if calendar.id not in self._by_calendar:
            self._by_calendar[calendar.id] = calendar.working_hours()
        return self._by_calendar[calendar.id].is_open(at)


@dataclass(frozen=True)
class Interruption:
    page_id: int
    member: object
    at: datetime
    out_of_hours: bool
    night: bool


def interruptions(period: Period) -> list[Interruption]:
    """Return every interruption whose time falls in the period, oldest first."""
    attempts = (
        NotificationAttempt.objects.filter(
            purpose__in=PAGE_PURPOSES,
            status=NotificationAttempt.Status.SENT,
            member__isnull=False,
            page__ticket__is_drill=False,
            page__created_at__gte=period.start - PAGE_LOOKBACK,
            page__created_at__lt=period.end,
        )
        .select_related("member", "page__team__calendar")
        .order_by("sent_at", "id")
    )
    first_sent = {}
    for attempt in attempts:
        first_sent.setdefault((attempt.page_id, attempt.member_id), attempt)
    hours = _HoursCache()
    found = []
    for attempt in first_sent.values():
        if not period.start <= attempt.sent_at < period.end:
            continue
        found.append(
            Interruption(
                page_id=attempt.page_id,
                member=attempt.member,
                at=attempt.sent_at,
                out_of_hours=not hours.is_open(attempt.page.team.calendar, attempt.sent_at),
                night=is_night(attempt.sent_at, attempt.member.zone),
            )
        )
    return sorted(found, key=lambda item: item.at)


@dataclass(frozen=True)
class PageFacts:
    page: Page
    out_of_hours: bool
    ack_seconds: float | None
    escalated: bool
    escalated_past: frozenset


def page_facts(period: Period) -> list[PageFacts]:
    """Return the facts of every page opened in the period, oldest first."""
    pages = list(
        Page.objects.filter(created_at__gte=period.start, created_at__lt=period.end, ticket__is_drill=False)
        .select_related("team__calendar", "acknowledged_by")
        .order_by("created_at", "id")
    )
    ids = [page.id for page in pages]
    escalated = set(
        PageEvent.objects.filter(page_id__in=ids, kind=PageEvent.Kind.ESCALATED).values_list("page_id", flat=True)
    )
    positions = defaultdict(list)
    for page_id, member_id, round_number, step in NotificationAttempt.objects.filter(
        page_id__in=ids, purpose__in=PAGE_PURPOSES
    ).values_list("page_id", "member_id", "round", "step_index"):
        positions[page_id].append((member_id, (round_number, step)))
    hours = _HoursCache()
    return [
        PageFacts(
            page=page,
            out_of_hours=not hours.is_open(page.team.calendar, page.created_at),
            ack_seconds=(page.acknowledged_at - page.created_at).total_seconds() if page.acknowledged_at else None,
            escalated=page.id in escalated,
            escalated_past=_escalated_past(positions[page.id]),
        )
        for page in pages
    ]


def _escalated_past(attempts: list[tuple[int | None, tuple[int, int]]]) -> frozenset:
    """Return the ids of members notified at a step that the page later moved on from."""
    if not attempts:
        return frozenset()
    last = max(position for _member, position in attempts)
    first_by_member = {}
    for member_id, position in attempts:
        if member_id is not None:
            first_by_member[member_id] = min(position, first_by_member.get(member_id, position))
    return frozenset(member_id for member_id, position in first_by_member.items() if position < last)


@dataclass
class Tally:
    """Counts for one week, one person, or one person in one week."""

    interruptions: int = 0
    out_of_hours: int = 0
    night: int = 0
    pages: int = 0
    out_of_hours_pages: int = 0
    escalated: int = 0
    ack_seconds: list = field(default_factory=list)

    def add_interruption(self, item: Interruption) -> None:
        self.interruptions += 1
        self.out_of_hours += item.out_of_hours
        self.night += item.night

    @property
    def acknowledged(self) -> int:
        return len(self.ack_seconds)

    @property
    def ack_median(self) -> float | None:
        return median(self.ack_seconds)

    @property
    def ack_p90(self) -> float | None:
        return percentile_90(self.ack_seconds)


@dataclass
class Wellbeing:
    """The figures of one period: per week, per person, and per person per week."""

    period: Period
    weeks: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    people_weeks: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)

    def person(self, member) -> Tally:
        self.members[member.id] = member
        return self.people.setdefault(member.id, Tally())

    def person_week(self, member, week: date) -> Tally:
        self.members[member.id] = member
        return self.people_weeks.setdefault((week, member.id), Tally())


def wellbeing(period: Period) -> Wellbeing:
    """Compute the period's figures; weeks with nothing in them are included with zeros."""
    result = Wellbeing(period=period, weeks={week: Tally() for week in period.weeks()})
    for item in interruptions(period):
        week = period.week_of(item.at)
        result.weeks[week].add_interruption(item)
        result.person(item.member).add_interruption(item)
        result.person_week(item.member, week).add_interruption(item)
    pages = page_facts(period)
    missing = set().union(*(facts.escalated_past for facts in pages)) - result.members.keys()
    result.members.update(Member.objects.in_bulk(missing))
    for facts in pages:
        _add_page(result, facts)
    return result


def _add_page(result: Wellbeing, facts: PageFacts) -> None:
    week = result.period.week_of(facts.page.created_at)
    tally = result.weeks[week]
    tally.pages += 1
    tally.out_of_hours_pages += facts.out_of_hours
    tally.escalated += facts.escalated
    acknowledger = facts.page.acknowledged_by
    if facts.ack_seconds is not None:
        tally.ack_seconds.append(facts.ack_seconds)
        if acknowledger is not None:
            result.person(acknowledger).ack_seconds.append(facts.ack_seconds)
            result.person_week(acknowledger, week).ack_seconds.append(facts.ack_seconds)
    for member_id in facts.escalated_past:
        member = result.members[member_id]
        result.person(member).escalated += 1
        result.person_week(member, week).escalated += 1
