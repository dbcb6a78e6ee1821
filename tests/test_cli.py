import json
import re
import socket
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from processes import Desk, fresh_database


def run_json(*args) -> dict:
    output = StringIO()
    call_command(*args, "--json", stdout=output)
    return json.loads(output.getvalue())


@pytest.mark.django_db
def test_oncall_either_side_of_handover(team):
    before = run_json("oncall", "--at", "2026-03-30T08:59")
    after = run_json("oncall", "--at", "2026-03-30T09:00")
    assert before == {"team": "web", "at": "2026-03-30T07:59:00+00:00", "on_call": {"name": "Bob", "email": "bob@agency.example"}}
    assert after["on_call"]["name"] == "Alice"
    assert after["at"] == "2026-03-30T08:00:00+00:00"


@pytest.mark.django_db
def test_oncall_before_rota_starts(team):
    assert run_json("oncall", "--at", "2026-01-01T12:00Z")["on_call"] is None


@pytest.mark.django_db
def test_hours_reports_next_opening(calendar):
    result = run_json("hours", "--at", "2026-12-04T17:30")
    assert result == {
        "calendar": "office",
        "at": "2026-12-04T17:30:00+00:00",
        "in_hours": False,
        "next_opening": "2026-12-07T09:00:00+00:00",
        "holiday": None,
        "closure": None,
        "one_off_opening": None,
        "add": None,
        "result": None,
    }


@pytest.mark.django_db
def test_hours_in_hours(calendar):
    assert run_json("hours", "--at", "2026-12-04T17:29:59")["in_hours"] is True


@pytest.mark.django_db
def test_triage_urgent_out_of_hours(team):
    result = run_json("triage", "--q1", "yes", "--q2", "yes", "--at", "2026-12-05T03:00")
    assert result == {
        "priority": "P1", "pages": True, "out_of_hours": True, "on_call": "Bob", "release_at": None, "respond_by": None,
    }


@pytest.mark.django_db
def test_triage_normal_held(team):
    result = run_json("triage", "--q1", "no", "--q2", "no", "--at", "2026-12-05T03:00")
    assert result["priority"] == "P3"
    assert result["pages"] is False
    assert result["on_call"] is None
    assert result["release_at"] == "2026-12-07T09:00:00+00:00"


@pytest.mark.django_db
def test_triage_one_yes_in_hours_pages(team):
    result = run_json("triage", "--q1", "no", "--q2", "yes", "--at", "2026-12-07T10:00")
    assert result["priority"] == "P2"
    assert result["pages"] is True
    assert result["out_of_hours"] is False


@pytest.mark.django_db
def test_bad_time_names_option(team):
    with pytest.raises(CommandError, match="--at"):
        call_command("oncall", "--at", "next tuesday")


@pytest.mark.django_db
def test_unknown_team_lists_known(team):
    with pytest.raises(CommandError, match="known: web"):
        call_command("oncall", "--team", "mobile")


@pytest.mark.django_db
def test_no_team_configured():
    with pytest.raises(CommandError, match="config apply"):
        call_command("oncall")


@pytest.mark.slow
def test_console_script_migrates_and_answers(tmp_path):
    with fresh_database() as database_url:
        desk = Desk(tmp_path, database_url)
        result = desk.run("hours", "--json")
    assert result.returncode != 0
    assert "No calendar is configured yet" in result.stderr


@pytest.mark.django_db
def test_oncall_range_returns_segments(team):
    result = run_json("oncall", "--from", "2026-03-29T00:00", "--to", "2026-03-31T00:00")
    assert result["from"] == "2026-03-29T00:00:00+00:00"
    assert [(row["member"]["name"], row["start"], row["end"], row["source"]) for row in result["segments"]] == [
        ("Bob", "2026-03-29T00:00:00+00:00", "2026-03-30T08:00:00+00:00", "rota"),
        ("Alice", "2026-03-30T08:00:00+00:00", "2026-03-30T23:00:00+00:00", "rota"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2026-03-29"], "--from and --to go together"),
        (["--from", "2026-03-29", "--to", "2026-03-30", "--at", "2026-03-29"], "--at cannot be used"),
        (["--from", "2026-03-30", "--to", "2026-03-29"], "--to: The end must be after the start."),
        (["--from", "someday", "--to", "2026-03-29"], "--from: "),
    ],
)
def test_oncall_range_errors(team, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("oncall", *args)


@pytest.mark.django_db
def test_rota_check_bad_days_exit_two(team):
    with pytest.raises(CommandError) as raised:
        call_command("rota", "check", "--days", "0")
    assert raised.value.returncode == 2


@pytest.mark.django_db
def test_demo_creates_developer_logins(settings, tmp_path):
    from django.contrib.auth import authenticate

    from oohdesk.demo import demo_admin_password, load_demo
    from oohdesk.rota.models import Member

    settings.DATA_DIR = tmp_path
    assert load_demo()
    password = demo_admin_password()
    ben = authenticate(username="ben", password=password)
    assert ben is not None
    assert not ben.is_staff
    assert Member.objects.get(email="ben@demo-agency.example").user == ben


@pytest.mark.slow
def test_serve_port_in_use(tmp_path):
    desk = Desk(tmp_path, None)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", desk.port))
        taken.listen()
        done = desk.run("serve", "--port", str(desk.port))
    assert done.returncode != 0
    assert f"Cannot listen on 127.0.0.1:{desk.port}" in done.stderr
    assert "--port" in done.stderr
    assert "Traceback" not in done.stderr
    assert "oohdesk is running" not in done.stdout
