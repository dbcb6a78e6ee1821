"""Calendar feeds: parsed with icalendar, they list the same shifts as ``oohdesk oncall --from --to``."""

import json
from datetime import datetime, timezone
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from icalendar import Calendar

from conftest import utc
from oohdesk.rota import feeds
from oohdesk.rota.overrides import add_override

# Friday 6 March 2026: the feed's 60 days back and 180 ahead cross both UK clock changes of 2026.
NOW = utc(2026, 3, 6, 12)


def fetch(client, url: str):
    path = url.removeprefix("http://127.0.0.1:8000")
    with time_machine.travel(NOW, tick=False):
        return client.get(path)


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def cli_segments(start: datetime, end: datetime) -> list[tuple]:
    output = StringIO()
    call_command("oncall", "--from", start.isoformat(), "--to", end.isoformat(), "--json", stdout=output)
    rows = json.loads(output.getvalue())["segments"]
    return [(row["member"]["name"], datetime.fromisoformat(row["start"]), datetime.fromisoformat(row["end"])) for row in rows]


def events(calendar: Calendar) -> list:
    return sorted(calendar.walk("VEVENT"), key=lambda event: event.decoded("dtstart"))


@pytest.mark.django_db
def test_team_feed_matches_oncall(client, team, charlie):
    add_override(team.rota, charlie, utc(2026, 3, 28, 18), utc(2026, 3, 30, 12), NOW, "test")
    url = feeds.feed_url(feeds.feed_of(team, NOW))
    calendar = parse(fetch(client, url))
    found = events(calendar)
    assert calendar["X-WR-CALNAME"] == "Web team: on call"
    shifts = [
        (str(event["SUMMARY"]).removeprefix("On call: "), event.decoded("dtstart").astimezone(timezone.utc), event.decoded("dtend").astimezone(timezone.utc))
        for event in found
    ]
    assert shifts == cli_segments(shifts[0][1], shifts[-1][2])
    # Across the spring change the Monday 09:00 handover moves from 09:00 to 08:00 UTC.
    starts = [start for _name, start, _end in shifts]
    assert utc(2026, 3, 23, 9) in starts
    assert utc(2026, 4, 6, 8) in starts
    assert utc(2026, 10, 26, 9) not in starts
    assert ("Charlie", utc(2026, 3, 28, 18), utc(2026, 3, 30, 12)) in shifts


@pytest.mark.django_db
def test_feed_uses_zone_definitions(client, team):
    calendar = parse(fetch(client, feeds.feed_url(feeds.feed_of(team, NOW))))
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/London"
    first = events(calendar)[0]
    assert first["DTSTART"].params["TZID"] == "Europe/London"
    assert first.decoded("dtstart").hour == 9
    assert first["TRANSP"] == "TRANSPARENT"
    assert all(event["UID"] for event in events(calendar))
    assert len({str(event["UID"]) for event in events(calendar)}) == len(events(calendar))


@pytest.mark.django_db
def test_member_feed_in_own_zone(client, team, alice):
    alice.time_zone = "America/New_York"
    alice.save()
    calendar = parse(fetch(client, feeds.feed_url(feeds.feed_of(alice, NOW))))
    found = events(calendar)
    assert found
    assert all(str(event["SUMMARY"]) == "On call: Web team" for event in found)
    assert found[0]["DTSTART"].params["TZID"] == "America/New_York"
    # Monday 09:00 in London is 04:00 in New York in winter, and 05:00 in the three weeks the US is already on summer time.
    hours = {event.decoded("dtstart").hour for event in found}
    assert hours <= {4, 5}
    assert "(America/New_York)" in str(found[0]["DESCRIPTION"])
    alice_shifts = [row for row in cli_segments(found[0].decoded("dtstart"), found[-1].decoded("dtend")) if row[0] == "Alice"]
    assert [(event.decoded("dtstart"), event.decoded("dtend")) for event in found] == [(start, end) for _, start, end in alice_shifts]


@pytest.mark.django_db
def test_reset_key_revokes_old_url(client, team, alice):
    feed = feeds.feed_of(alice, NOW)
    old_url = feeds.feed_url(feed)
    feeds.reset_key(feed, NOW)
    assert fetch(client, old_url).status_code == 404
    assert fetch(client, feeds.feed_url(feed)).status_code == 200


@pytest.mark.django_db
def test_unknown_key_not_found(client, db):
    response = client.get("/calendar/nonsense.ics")
    assert response.status_code == 404
    assert b"reset" in response.content


@pytest.mark.django_db
def test_feed_validates(team):
    calendar = feeds.team_calendar(team, NOW)
    again = Calendar.from_ical(calendar.to_ical())
    assert again["VERSION"] == "2.0"
    assert again["PRODID"] == feeds.PRODUCT_ID
    assert again["METHOD"] == "PUBLISH"
    for event in again.walk("VEVENT"):
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert name in event
