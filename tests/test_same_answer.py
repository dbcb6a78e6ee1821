"""The same working-hours cases through every surface: form confirmation, API, oohdesk hours, oohdesk triage, engine.

Each case is a real date in 2026-2028 for a team whose calendar is open
Monday to Friday 09:00-17:00 UK time and closes on its region's public
holidays, or a round-the-clock calendar. Every surface must agree with the
expected answer, and so with each other.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from calendars import LONDON, api_time, make_always_open, make_calendar, make_team, uk, utc_iso
from oohdesk.api.models import ApiToken
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import DemoPhoneMessage, NotificationAttempt, Page
from oohdesk.tickets.models import Ticket
from oohdesk.zones import format_local
from test_web_pages import report_data


@dataclass(frozen=True)
class Case:
    team: str
    at: str
    """UK wall-clock time of the report."""
    in_hours: bool
    next_opening: str | None
    """UK wall-clock time of the next opening, or None for a calendar that never closes."""
    holiday: str | None = None


CASES = {
    # A 17:00 close is exclusive, to the millisecond.
    "before close": Case("england", "2026-12-02T16:59:59.999", True, "2026-12-03T09:00"),
    "at close": Case("england", "2026-12-02T17:00:00", False, "2026-12-03T09:00"),
    "after close": Case("england", "2026-12-02T17:00:01", False, "2026-12-03T09:00"),
    "friday evening": Case("england", "2026-12-04T19:00", False, "2026-12-07T09:00"),
    # 2026: Christmas on Friday, Boxing Day on Saturday, so Monday 28 is its substitute.
    "christmas eve 2026": Case("england", "2026-12-24T17:30", False, "2026-12-29T09:00"),
    "boxing day substitute": Case("england", "2026-12-28T10:00", False, "2026-12-29T09:00", "Boxing Day (observed)"),
    # 2027: Christmas on Saturday and Boxing Day on Sunday, so 27 and 28 December are substitutes.
    "christmas weekend 2027": Case("england", "2027-12-24T17:00", False, "2027-12-29T09:00"),
    "christmas substitute 2027": Case("england", "2027-12-27T12:00", False, "2027-12-29T09:00", "Christmas Day (observed)"),
    # 2028: New Year's Day on Saturday, so Monday 3 January is its substitute.
    "new year substitute 2028": Case("england", "2027-12-31T17:00", False, "2028-01-04T09:00"),
    # Easter 2026 is 5 April: Good Friday 3 April, Easter Monday 6 April.
    "good friday 2026": Case("england", "2026-04-03T11:00", False, "2026-04-07T09:00", "Good Friday"),
    # Easter Sunday 2027 is 28 March, the night the clocks go forward.
    "easter at clock change": Case("england", "2027-03-25T17:00", False, "2027-03-30T09:00"),
    "easter monday 2027": Case("england", "2027-03-29T09:30", False, "2027-03-30T09:00", "Easter Monday"),
    "easter 2028": Case("england", "2028-04-13T18:00", False, "2028-04-18T09:00"),
    # Scotland has no Easter Monday but has 2 January, St Andrew's Day and an early August holiday.
    "scotland easter monday": Case("scotland", "2026-04-03T11:00", False, "2026-04-06T09:00", "Good Friday"),
    "scotland 2 january": Case("scotland", "2026-01-02T10:00", False, "2026-01-05T09:00", "New Year Holiday"),
    "england 2 january": Case("england", "2026-01-02T10:00", True, "2026-01-05T09:00"),
    "scotland new year 2027": Case("scotland", "2026-12-31T17:00", False, "2027-01-05T09:00"),
    "st andrews day": Case("scotland", "2027-11-30T10:00", False, "2027-12-01T09:00", "Saint Andrew's Day"),
    "scotland august": Case("scotland", "2026-08-03T10:00", False, "2026-08-04T09:00", "Summer Bank Holiday"),
    "england august": Case("england", "2026-08-31T10:00", False, "2026-09-01T09:00", "Late Summer Bank Holiday"),
    "scotland late august": Case("scotland", "2026-08-31T10:00", True, "2026-09-01T09:00"),
    # Northern Ireland: St Patrick's Day, and the Battle of the Boyne on a Sunday moved to Monday.
    "st patricks day": Case("northern-ireland", "2026-03-17T10:00", False, "2026-03-18T09:00", "Saint Patrick's Day"),
    "boyne substitute": Case("northern-ireland", "2026-07-13T10:00", False, "2026-07-14T09:00", "Battle of the Boyne (observed)"),
    "england on the boyne": Case("england", "2026-07-13T10:00", True, "2026-07-14T09:00"),
    # A round-the-clock calendar has no gap at midnight.
    "always before midnight": Case("always", "2026-12-06T23:59:59", True, None),
    "always at midnight": Case("always", "2026-12-07T00:00:00", True, None),
    "always at clock change": Case("always", "2027-03-28T00:59:59", True, None),
}


@pytest.fixture
def regional_teams(db, policy, alice, bob):
    make_team("england", make_calendar("england", "GB", "ENG"), policy, lead=alice)
    make_team("scotland", make_calendar("scotland", "GB", "SCT"), policy, lead=alice)
    make_team("northern-ireland", make_calendar("northern-ireland", "GB", "NIR"), policy, lead=alice)
    make_team("always", make_always_open(), policy, lead=bob)


@pytest.fixture
def staff_headers(django_user_model, alice) -> dict:
    user = django_user_model.objects.create_user(username="alice", is_staff=True)
    _token, secret = ApiToken.issue(user, "tests")
    return {"Authorization": f"Bearer {secret}"}


def command_json(*args) -> dict:
    output = StringIO()
    call_command(*args, "--json", stdout=output)
    return json.loads(output.getvalue())


def expected_release(case: Case) -> str | None:
    return None if case.in_hours else utc_iso(uk(case.next_opening))


@pytest.mark.parametrize("name", CASES)
def test_hours_command(regional_teams, name):
    case = CASES[name]
    result = command_json("hours", "--calendar", case.team, "--at", case.at)
    assert result["in_hours"] is case.in_hours
    assert result["next_opening"] == (utc_iso(uk(case.next_opening)) if case.next_opening else None)
    assert result["holiday"] == case.holiday


@pytest.mark.parametrize("name", CASES)
def test_triage_command(regional_teams, name):
    case = CASES[name]
    result = command_json("triage", "--q1", "no", "--q2", "no", "--team", case.team, "--at", case.at)
    assert result["priority"] == "P3"
    assert result["pages"] is False
    assert result["out_of_hours"] is not case.in_hours
    assert result["release_at"] == expected_release(case)


@pytest.mark.parametrize("name", CASES)
def test_api_hours(regional_teams, staff_headers, name):
    case = CASES[name]
    response = Client().get(f"/api/v1/calendars/{case.team}/hours", {"at": case.at}, headers=staff_headers)
    body = response.json()
    assert response.status_code == 200
    assert body["in_hours"] is case.in_hours
    assert body["next_opening"] == (api_time(uk(case.next_opening)) if case.next_opening else None)
    assert body["holiday"] == case.holiday


@pytest.mark.parametrize("name", CASES)
def test_api_report(regional_teams, name):
    case = CASES[name]
    body = {**report_data(site_down="no", affects_half="no"), "team": case.team}
    with time_machine.travel(uk(case.at), tick=False):
        response = Client().post("/api/v1/tickets", body, content_type="application/json")
    ticket = response.json()
    assert response.status_code == 201
    assert ticket["out_of_hours"] is not case.in_hours
    release = expected_release(case)
    assert ticket["release_at"] == (api_time(uk(case.next_opening)) if release else None)
    assert ticket["status"] == ("open" if case.in_hours else "held")


@pytest.mark.parametrize("name", CASES)
def test_form_confirmation(regional_teams, name):
    case = CASES[name]
    client = Client()
    with time_machine.travel(uk(case.at), tick=False):
        response = client.post(reverse("report-team", args=[case.team]), report_data(site_down="no", affects_half="no"))
        confirmation = client.get(response["Location"]).content.decode()
    assert response.status_code == 302
    if case.in_hours:
        assert "We will pick this up during working hours." in confirmation
    else:
        assert f"we will pick it up at {format_local(uk(case.next_opening), LONDON)}" in confirmation
    assert Ticket.objects.get().status == ("open" if case.in_hours else "held")


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if not case.in_hours])
def test_engine_releases(regional_teams, name):
    case = CASES[name]
    client = Client()
    with time_machine.travel(uk(case.at), tick=False):
        client.post(reverse("report-team", args=[case.team]), report_data(site_down="no", affects_half="no"))
    opening = uk(case.next_opening)

    run_once(opening - timedelta(microseconds=1))
    assert Ticket.objects.get().status == Ticket.Status.HELD

    run_once(opening)
    assert Ticket.objects.get().status == Ticket.Status.OPEN
    assert Page.objects.count() == 0
    assert not NotificationAttempt.objects.exclude(purpose=NotificationAttempt.Purpose.NOTICE).exists()
    assert not DemoPhoneMessage.objects.filter(urgent=True).exists()
