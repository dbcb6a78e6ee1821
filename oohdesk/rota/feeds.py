"""Private iCalendar (RFC 5545) feeds of on-call shifts, for Google Calendar, Outlook and other clients.

A member's feed lists their own time on call on every rota, and a team's
feed lists everyone's on its rota and backup rota. Each feed has a secret key
in its URL; resetting the key revokes the old URL at once. Events are the
segments that ``oohdesk oncall --from --to`` returns, from
OOHDESK_CALENDAR_PAST_DAYS before now to OOHDESK_CALENDAR_FUTURE_DAYS after,
with their times in the member's zone (a member's feed) or the rota's zone
(a team's feed) and the zone's definition included.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from icalendar import Calendar, Event, vDuration

from oohdesk import links
from oohdesk.rota.models import CalendarFeed, Member, Rota, Team
from oohdesk.rota.oncall import Segment
from oohdesk.zones import format_local

PRODUCT_ID = "-//oohdesk//on-call rota//EN"
# Clients that honour it fetch the feed again after this long.
REFRESH_INTERVAL = timedelta(hours=1)


def new_key() -> str:
    return secrets.token_urlsafe(24)


def feed_of(owner: Member | Team, at: datetime) -> CalendarFeed:
    """Return the owner's feed, creating it with a new key on first use."""
    lookup = {"member": owner} if isinstance(owner, Member) else {"team": owner}
    feed = CalendarFeed.objects.filter(**lookup).first()
    if feed is None:
        with transaction.atomic():
            feed, _ = CalendarFeed.objects.get_or_create(**lookup, defaults={"key": new_key(), "created_at": at})
    return feed


def reset_key(feed: CalendarFeed, at: datetime) -> CalendarFeed:
    """Give the feed a new key, so the old URL stops working at once."""
    feed.key = new_key()
    feed.created_at = at
    feed.save(update_fields=["key", "created_at"])
    return feed


def feed_url(feed: CalendarFeed) -> str:
    return links.absolute(reverse("calendar-feed", args=[feed.key]))


def feed_window(at: datetime) -> tuple[datetime, datetime]:
    return (
        at - timedelta(days=settings.OOHDESK_CALENDAR_PAST_DAYS),
        at + timedelta(days=settings.OOHDESK_CALENDAR_FUTURE_DAYS),
    )


def _role(rota: Rota) -> str:
    return "Backup" if rota.is_backup else "On call"


def _event(rota: Rota, segment: Segment, zone, summary: str, at: datetime) -> Event:
    member = segment.member
    start, end = segment.start.astimezone(zone), segment.end.astimezone(zone)
    how = "an override" if segment.source == "override" else "the rota"
    description = (
        f"{member.name} is {'the backup' if rota.is_backup else 'on call'} for {rota.owner.name} "
        f"from {format_local(segment.start, zone)} to {format_local(segment.end, zone)}, from {how}."
    )
    event = Event.new(
        uid=f"{rota.id}-{member.id}-{segment.start:%Y%m%dT%H%M%SZ}-{segment.source}@oohdesk",
        summary=summary,
        description=description,
        start=start,
        end=end,
        stamp=at,
    )
    # On call is not busy: the shift should not block other meetings.
    event.add("transp", "TRANSPARENT")
    event.add("categories", [_role(rota)])
    return event


def _calendar(name: str, uid: str, events: list[Event], window: tuple[datetime, datetime]) -> Calendar:
    """Return a calendar of ``events``; icalendar writes NAME and the X-WR-CALNAME that Google and Outlook read."""
    calendar = Calendar.new(
        prodid=PRODUCT_ID, name=name, uid=uid, method="PUBLISH", calscale="GREGORIAN", refresh_interval=REFRESH_INTERVAL
    )
    # Outlook reads this non-standard name instead of REFRESH-INTERVAL.
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for event in events:
        calendar.add_component(event)
    # Zone definitions only for the years the feed covers keep it small.
    calendar.add_missing_timezones(first_date=window[0].date() - timedelta(days=366), last_date=window[1].date() + timedelta(days=366))
    return calendar


def _rotas_of_team(team: Team) -> list[Rota]:
    return [rota for rota in (getattr(team, "rota", None), getattr(team, "backup_rota", None)) if rota is not None]


def member_calendar(member: Member, at: datetime) -> Calendar:
    """Return the member's shifts on every rota, in their zone."""
    start, end = feed_window(at)
    events = []
    rotas = Rota.objects.select_related("team", "backup_for").order_by("id")
    for rota in rotas:
        for segment in rota.segments(start, end, clip=False):
            if segment.member == member:
                events.append(_event(rota, segment, member.zone, f"{_role(rota)}: {rota.owner.name}", at))
    return _calendar(f"{member.name}: on call", f"oohdesk-member-{member.id}", events, (start, end))


def team_calendar(team: Team, at: datetime) -> Calendar:
    """Return everyone's shifts on the team's rota and backup rota, in each rota's zone."""
    start, end = feed_window(at)
    events = []
    for rota in _rotas_of_team(team):
        for segment in rota.segments(start, end, clip=False):
            events.append(_event(rota, segment, rota.zone, f"{_role(rota)}: {segment.member.name}", at))
    return _calendar(f"{team.name}: on call", f"oohdesk-team-{team.id}", events, (start, end))


def render(feed: CalendarFeed, at: datetime) -> bytes:
    calendar = member_calendar(feed.member, at) if feed.member_id else team_calendar(feed.team, at)
    return calendar.to_ical()
