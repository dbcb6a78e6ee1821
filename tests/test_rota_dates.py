"""The rota on real 2026-2028 dates: clock changes, handover times, overrides, member changes and zones.

The ``team`` fixture's rota is Alice then Bob, Monday 09:00 UK time, from 5
January 2026, so Alice has the weeks an even number of weeks after that.
"""

import json
from datetime import date, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from conftest import make_member, utc
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import DemoPhoneMessage, NotificationAttempt, Page, PageEvent
from oohdesk.rota.changes import Settings, change_rota
from oohdesk.rota.models import Rota, RotaLogEntry
from oohdesk.rota.overrides import add_override, remove_override
from reports import report


def segments(*args) -> list[tuple]:
    output = StringIO()
    call_command("oncall", *args, "--json", stdout=output)
    return [(row["member"]["name"], row["start"], row["end"], row["source"]) for row in json.loads(output.getvalue())["segments"]]


@pytest.fixture
def sunday_night(team):
    """The fixture's rota moved to a Sunday 01:30 handover from 3 January 2027, before any shift ran."""
    rota = team.rota
    rota.handover_weekday, rota.handover_time, rota.start_date = 6, time(1, 30), date(2027, 1, 3)
    rota.save()
    return rota


@pytest.mark.django_db
def test_handover_in_skipped_hour(sunday_night):
    # Clocks go forward at 01:00 GMT on Sunday 28 March 2027; 01:30 does not exist and takes GMT, so 01:30 UTC.
    found = segments("--from", "2027-03-27T12:00Z", "--to", "2027-03-29T12:00Z")
    assert [row[0] for row in found] == ["Bob", "Alice"]
    assert found[0][2] == "2027-03-28T01:30:00+00:00"
    assert found[1][1] == "2027-03-28T01:30:00+00:00"


@pytest.mark.django_db
def test_handover_in_repeated_hour(sunday_night):
    # Clocks go back at 02:00 BST on Sunday 31 October 2027; 01:30 happens twice and the first is 00:30 UTC.
    found = segments("--from", "2027-10-30T12:00Z", "--to", "2027-11-01T12:00Z")
    assert [row[0] for row in found] == ["Alice", "Bob"]
    assert found[1][1] == "2027-10-31T00:30:00+00:00"


@pytest.mark.django_db
def test_week_lengths_over_clock_changes(team):
    found = segments("--from", "2027-03-22T09:00", "--to", "2027-04-05T09:00")
    lengths = [(utc_from(row[2]) - utc_from(row[1])) for row in found]
    # The week that contains the spring change is 167 hours long.
    assert lengths == [timedelta(hours=167), timedelta(hours=168)]
    found = segments("--from", "2027-10-25T09:00", "--to", "2027-11-08T09:00")
    assert [(utc_from(row[2]) - utc_from(row[1])) for row in found] == [timedelta(hours=169), timedelta(hours=168)]


def utc_from(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text)


@pytest.mark.django_db
def test_midnight_versus_nine_handover(team, calendar, policy, alice, bob):
    # Monday 29 March 2027: the nine o'clock rota hands over at 08:00 UTC (BST), the midnight one at 23:00 UTC on Sunday.
    rota = team.rota
    change_rota(rota, utc(2026, 1, 1), "test", settings=Settings("Europe/London", 0, time(0), date(2026, 1, 5)))
    midnight = segments("--from", "2027-03-28T12:00", "--to", "2027-03-29T12:00")
    assert [row[1:3] for row in midnight] == [
        ("2027-03-28T11:00:00+00:00", "2027-03-28T23:00:00+00:00"),
        ("2027-03-28T23:00:00+00:00", "2027-03-29T11:00:00+00:00"),
    ]
    change_rota(Rota.objects.get(), utc(2026, 1, 1), "test", settings=Settings("Europe/London", 0, time(9), date(2026, 1, 5)))
    nine = segments("--from", "2027-03-28T12:00", "--to", "2027-03-29T12:00")
    assert [row[2] for row in nine][0] == "2027-03-29T08:00:00+00:00"
    assert nine[0][0] != nine[1][0]


@pytest.mark.django_db
def test_override_spans_handover(team, alice, bob, charlie):
    # Bob's week ends Monday 7 December 2026 09:00; Charlie covers Saturday 18:00 to Tuesday 09:00.
    add_override(team.rota, charlie, utc(2026, 12, 5, 18), utc(2026, 12, 8, 9), utc(2026, 11, 1), "test")
    found = segments("--from", "2026-12-05T00:00", "--to", "2026-12-10T00:00")
    assert found == [
        ("Bob", "2026-12-05T00:00:00+00:00", "2026-12-05T18:00:00+00:00", "rota"),
        ("Charlie", "2026-12-05T18:00:00+00:00", "2026-12-08T09:00:00+00:00", "override"),
        ("Alice", "2026-12-08T09:00:00+00:00", "2026-12-10T00:00:00+00:00", "rota"),
    ]
    # The rota around the override is unchanged: Alice's week still ends on Monday 14 December at 09:00.
    assert team.rota.segment_at(utc(2026, 12, 9)).end == utc(2026, 12, 14, 9)
    assert team.on_call_at(utc(2026, 12, 7, 12)) == charlie


@pytest.mark.django_db
def test_stacked_overrides_newest_wins(team, alice, bob, charlie):
    dana = make_member("dana")
    add_override(team.rota, charlie, utc(2026, 12, 8, 0), utc(2026, 12, 11, 0), utc(2026, 11, 1), "test")
    newer = add_override(team.rota, dana, utc(2026, 12, 9, 0), utc(2026, 12, 10, 0), utc(2026, 11, 2), "test")
    found = segments("--from", "2026-12-08T00:00", "--to", "2026-12-11T00:00")
    assert [(row[0], row[1][8:10]) for row in found] == [("Charlie", "08"), ("Dana", "09"), ("Charlie", "10")]
    remove_override(newer, utc(2026, 11, 3), "test")
    assert [row[0] for row in segments("--from", "2026-12-08T00:00", "--to", "2026-12-11T00:00")] == ["Charlie"]
    assert RotaLogEntry.objects.filter(message__startswith="Override removed").count() == 1


@pytest.mark.django_db
def test_older_override_under_newer(team, alice, charlie):
    dana = make_member("dana")
    add_override(team.rota, dana, utc(2026, 12, 9, 0), utc(2026, 12, 10, 0), utc(2026, 11, 1), "test")
    add_override(team.rota, charlie, utc(2026, 12, 8, 0), utc(2026, 12, 11, 0), utc(2026, 11, 2), "test")
    assert [row[0] for row in segments("--from", "2026-12-08T00:00", "--to", "2026-12-11T00:00")] == ["Charlie"]


@pytest.mark.django_db
def test_add_member_keeps_on_call(team, alice, bob):
    dana = make_member("dana")
    # Wednesday 9 December 2026: Alice's week; Bob is due next Monday.
    at = utc(2026, 12, 9, 12)
    result = change_rota(team.rota, at, "test", members=[alice, bob, dana])
    assert result.handed_over is None
    assert team.on_call_at(at) == alice
    assert team.rota.segment_at(at).end == utc(2026, 12, 14, 9)
    assert [row[0] for row in segments("--from", "2026-12-09T12:00", "--to", "2027-01-04T00:00")] == ["Alice", "Bob", "Dana", "Alice"]
    # The past keeps its members.
    assert team.on_call_at(utc(2026, 12, 2)) == bob


@pytest.mark.django_db
def test_reorder_keeps_on_call(team, alice, bob):
    dana = make_member("dana")
    change_rota(team.rota, utc(2026, 11, 1), "test", members=[alice, bob, dana])
    # Monday 16 November 2026 to 23 November is week 45: 45 % 3 is 0, so Alice; then Bob.
    at = utc(2026, 11, 18, 12)
    before = team.on_call_at(at)
    change_rota(team.rota, at, "test", members=[dana, bob, alice])
    assert team.on_call_at(at) == before
    assert team.rota.segment_at(at).end == utc(2026, 11, 23, 9)


@pytest.mark.django_db
def test_remove_member_not_on_call(team, alice, bob):
    dana = make_member("dana")
    change_rota(team.rota, utc(2026, 11, 1), "test", members=[alice, bob, dana])
    at = utc(2026, 12, 9, 12)
    holder = team.on_call_at(at)
    other = next(member for member in (alice, bob, dana) if member != holder)
    result = change_rota(team.rota, at, "test", members=[member for member in (alice, bob, dana) if member != other])
    assert result.handed_over is None
    assert team.on_call_at(at) == holder
    assert team.rota.segment_at(at).source == "rota"


@pytest.mark.django_db
def test_remove_member_on_call_moves_page(team, alice, bob):
    dana = make_member("dana")
    change_rota(team.rota, utc(2026, 1, 1), "test", members=[alice, bob, dana])
    # Wednesday 9 December 2026 23:00: week 48, so Alice is on call; Bob follows her.
    night = utc(2026, 12, 9, 23)
    assert team.on_call_at(night) == alice
    ticket = report(team, night)
    run_once(night)
    later = night + timedelta(minutes=2)
    result = change_rota(team.rota, later, "Charlie", members=[bob, dana])
    assert result.handed_over == (alice, bob)
    assert [page.id for page in result.moved_pages] == [ticket.page.id]
    assert team.on_call_at(later) == bob
    # Bob finishes Alice's week and keeps his own next week.
    assert team.rota.segment_at(later).end == utc(2026, 12, 14, 9)
    assert team.on_call_at(utc(2026, 12, 15)) == bob
    assert team.on_call_at(utc(2026, 12, 22)) == dana
    run_once(later)
    assert DemoPhoneMessage.objects.filter(member=bob, urgent=True).count() == 1
    event = PageEvent.objects.filter(page=ticket.page, kind=PageEvent.Kind.STEP_STARTED).last()
    assert "moved to Bob" in event.message
    page = Page.objects.get(id=ticket.page.id)
    assert page.step_index == 0
    assert page.step_due_at == later + timedelta(minutes=5)
    assert NotificationAttempt.objects.filter(member=bob, purpose="notice").count() == 1


@pytest.mark.django_db
def test_remove_on_call_under_override_moves_nothing(team, alice, bob, charlie):
    night = utc(2026, 12, 9, 23)
    add_override(team.rota, charlie, night - timedelta(hours=1), night + timedelta(hours=5), night - timedelta(hours=2), "test")
    ticket = report(team, night)
    result = change_rota(team.rota, night + timedelta(minutes=1), "test", members=[bob])
    assert result.handed_over is None
    assert result.moved_pages == []
    assert team.on_call_at(night + timedelta(minutes=1)) == charlie
    assert team.on_call_at(night + timedelta(hours=6)) == bob
    assert Page.objects.get(id=ticket.page.id).step_due_at == night + timedelta(minutes=5)


@pytest.mark.django_db
def test_change_before_start_rewrites(team, alice, bob):
    rota = team.rota
    change_rota(rota, utc(2026, 1, 1), "test", members=[bob, alice])
    assert not rota.epochs.exists()
    assert team.on_call_at(utc(2026, 1, 5, 9)) == bob


@pytest.mark.django_db
def test_handover_change_keeps_current_shift(team, alice, bob):
    # Wednesday 9 December 2026: Alice until Monday 09:00. The handover moves to Friday 17:00.
    at = utc(2026, 12, 9, 12)
    change_rota(team.rota, at, "test", settings=Settings("Europe/London", 4, time(17), date(2026, 1, 5)))
    assert team.on_call_at(at) == alice
    assert team.rota.segment_at(at).end == utc(2026, 12, 11, 17)
    assert team.on_call_at(utc(2026, 12, 11, 17)) == bob
    assert team.on_call_at(utc(2026, 12, 1)) == bob


@pytest.mark.django_db
def test_rota_in_another_zone(team, alice, bob):
    # A New York rota handing over on Monday 09:00 New York time while Alice lives in London.
    change_rota(team.rota, utc(2026, 1, 1), "test", settings=Settings("America/New_York", 0, time(9), date(2026, 1, 5)))
    alice.time_zone = "Asia/Tokyo"
    alice.save()
    # The US changes clocks on 8 March 2026 and the UK on 29 March, so for three weeks New York is four hours behind London.
    found = segments("--from", "2026-03-16T00:00", "--to", "2026-03-17T00:00")
    assert found[0][2] == "2026-03-16T13:00:00+00:00"
    assert team.rota.segment_at(utc(2026, 3, 16, 12, 59)).end == utc(2026, 3, 16, 13)


@pytest.mark.django_db
def test_backup_next_in_rota(team, alice, bob, charlie):
    night = utc(2026, 12, 9, 23)
    assert team.backup_at(night) == bob
    add_override(team.rota, bob, night - timedelta(hours=1), night + timedelta(hours=1), night - timedelta(hours=2), "test")
    # Bob covers Alice's night, so the backup is the next member after Alice who is not on call: Alice herself.
    assert team.on_call_at(night) == bob
    assert team.backup_at(night) == alice


@pytest.mark.django_db
def test_backup_rota_used_by_escalation(team, alice, bob, charlie):
    dana = make_member("dana")
    backup = Rota.objects.create(backup_for=team, time_zone="Europe/London", start_date=date(2026, 1, 5))
    change_rota(backup, utc(2026, 1, 1), "test", members=[dana, charlie])
    night = utc(2026, 12, 9, 23)
    assert team.backup_at(night) == dana
    ticket = report(team, night)
    run_once(night)
    run_once(night + timedelta(minutes=5))
    assert DemoPhoneMessage.objects.filter(member=dana, page=ticket.page).count() == 1
    assert DemoPhoneMessage.objects.filter(member=bob, page=ticket.page).count() == 0


@pytest.mark.django_db
def test_escalation_pages_override_member(team, alice, charlie):
    night = utc(2026, 12, 9, 23)
    add_override(team.rota, charlie, night - timedelta(hours=1), night + timedelta(hours=8), night - timedelta(hours=2), "test")
    ticket = report(team, night)
    run_once(night)
    assert DemoPhoneMessage.objects.filter(member=charlie, page=ticket.page).count() == 1
    assert DemoPhoneMessage.objects.filter(member=alice, page=ticket.page).count() == 0
