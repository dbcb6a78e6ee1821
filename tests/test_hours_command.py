"""oohdesk hours: the holiday, closure and one-off opening of the day, and --add."""

import json
from datetime import date, time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from calendars import make_calendar
from oohdesk.hours.models import Closure, OneOffOpening


def run(*args) -> str:
    output = StringIO()
    call_command("hours", *args, stdout=output)
    return output.getvalue()


@pytest.fixture
def office(db):
    return make_calendar("office", "GB", "ENG")


def test_add_json(office):
    result = json.loads(run("--add", "4h", "--at", "2026-12-04T15:00", "--json"))
    assert result["add"] == "4h"
    assert result["result"] == "2026-12-07T11:00:00+00:00"


def test_add_whole_seconds(office):
    result = json.loads(run("--add", "5400", "--at", "2026-12-04T16:00", "--json"))
    assert result["add"] == "90m"
    assert result["result"] == "2026-12-07T09:30:00+00:00"


def test_add_text(office):
    text = run("--add", "4h", "--at", "2027-12-24T15:00")
    assert "15:00 on Friday 24 December 2027 (UK time) is in working hours for Office." in text
    assert "4h of working time later is 11:00 on Wednesday 29 December 2027 (UK time)." in text


def test_add_never_open(db):
    make_calendar("closed").openings.all().delete()
    result = json.loads(run("--add", "1h", "--at", "2026-12-04T15:00", "--json"))
    assert result["result"] is None
    assert "no 1h of working time in the next ten years" in run("--add", "1h", "--at", "2026-12-04T15:00")


@pytest.mark.parametrize("value", ["4 hours", "-1h", "1.5h", ""])
def test_add_invalid(office, value):
    with pytest.raises(CommandError, match="--add: .* is not a duration"):
        run(f"--add={value}", "--at", "2026-12-04T15:00")


def test_holiday_named(office):
    result = json.loads(run("--at", "2027-03-29T10:00", "--json"))
    assert result["holiday"] == "Easter Monday"
    assert result["in_hours"] is False
    assert "It is a public holiday in England (GB-ENG): Easter Monday." in run("--at", "2027-03-29T10:00")


def test_closure_and_opening_named(office):
    Closure.objects.create(calendar=office, name="Christmas shutdown", first_day=date(2026, 12, 24), last_day=date(2027, 1, 1))
    OneOffOpening.objects.create(calendar=office, name="Year-end support", date=date(2026, 12, 30), opens=time(9), closes=time(13))
    result = json.loads(run("--at", "2026-12-30T10:00", "--json"))
    assert result["closure"] == "Christmas shutdown"
    assert result["one_off_opening"] == "Year-end support"
    assert result["in_hours"] is True
    assert result["holiday"] is None
