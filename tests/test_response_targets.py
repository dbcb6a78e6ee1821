"""Response targets: P3 in working hours, P1 and P2 in clock time; reminders in working time that never page."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from calendars import uk
from oohdesk.api.models import ApiToken
from oohdesk.paging.engine import run_once
from oohdesk.paging.escalation import acknowledge
from oohdesk.paging.models import DemoPhoneMessage, NotificationAttempt, Page, ResponseTarget
from oohdesk.paging.targets import mark_responded
from oohdesk.tickets.models import Ticket
from reports import report
from test_api import report_body

# The team's calendar is open weekdays 09:00-17:30 UK time.
FRIDAY_AFTERNOON = uk("2026-12-04T15:00")
SATURDAY_NIGHT = uk("2026-12-05T03:00")
MONDAY_OPENING = uk("2026-12-07T09:00")


@pytest.fixture
def targets(policy):
    policy.p1_response_target = 30 * 60
    policy.p2_response_target = 2 * 3600
    policy.p3_response_target = 4 * 3600
    policy.save()
    return policy


def reminders() -> list[NotificationAttempt]:
    return [
        attempt
        for attempt in NotificationAttempt.objects.filter(purpose=NotificationAttempt.Purpose.NOTICE).select_related("member")
        if attempt.title.endswith("is due a response")
    ]


def test_p3_target_in_working_hours(team, targets):
    ticket = report(team, FRIDAY_AFTERNOON, site_down="no", affects_half="no")
    # 2h30 on Friday to 17:30, then 1h30 from Monday 09:00.
    assert ticket.response_target.due_at == uk("2026-12-07T10:30")
    assert ticket.response_target.remind_at == uk("2026-12-07T10:30")


def test_held_p3_target_from_opening(team, targets):
    ticket = report(team, SATURDAY_NIGHT, site_down="no", affects_half="no")
    assert ticket.response_target.due_at == uk("2026-12-07T13:00")


def test_p1_target_in_clock_time(team, targets):
    ticket = report(team, SATURDAY_NIGHT)
    assert ticket.response_target.due_at == SATURDAY_NIGHT + timedelta(minutes=30)
    # The reminder waits for working time.
    assert ticket.response_target.remind_at == MONDAY_OPENING


def test_p2_target(team, targets):
    ticket = report(team, FRIDAY_AFTERNOON, site_down="yes", affects_half="no")
    assert ticket.response_target.due_at == FRIDAY_AFTERNOON + timedelta(hours=2)


def test_no_target_no_row(team, policy):
    ticket = report(team, FRIDAY_AFTERNOON, site_down="no", affects_half="no")
    assert not ResponseTarget.objects.filter(ticket=ticket).exists()


def test_reminder_at_due_time(team, targets, alice):
    ticket = report(team, FRIDAY_AFTERNOON, site_down="no", affects_half="no")
    run_once(uk("2026-12-07T10:29:59"))
    assert reminders() == []
    run_once(uk("2026-12-07T10:30"))
    assert sorted(attempt.member.name for attempt in reminders()) == ["Alice", "Bob", "Charlie"]
    shown = DemoPhoneMessage.objects.get(member=alice, title=f"{ticket.ref} is due a response")
    assert shown.urgent is False
    assert "due by 10:30 on Monday 7 December 2026 (UK time)" in shown.body


def test_reminder_not_out_of_hours(team, targets):
    ticket = report(team, SATURDAY_NIGHT)
    # Nobody acknowledges the page; the 30-minute target passes on Saturday night.
    run_once(SATURDAY_NIGHT + timedelta(hours=2))
    assert reminders() == []
    run_once(MONDAY_OPENING)
    assert len(reminders()) == 3
    assert all(attempt.due_at == MONDAY_OPENING for attempt in reminders())
    assert ticket.response_target.due_at < MONDAY_OPENING


def test_reminder_once(team, targets):
    report(team, FRIDAY_AFTERNOON, site_down="no", affects_half="no")
    run_once(uk("2026-12-07T10:30"))
    run_once(uk("2026-12-07T11:30"))
    assert len(reminders()) == 3


def test_reminder_never_pages(team, targets):
    report(team, FRIDAY_AFTERNOON, site_down="no", affects_half="no")
    run_once(uk("2026-12-07T10:30"))
    assert len(reminders()) == 3
    assert not Page.objects.exists()
    assert not NotificationAttempt.objects.exclude(purpose=NotificationAttempt.Purpose.NOTICE).exists()


def test_acknowledged_page_not_reminded(team, targets, alice):
    ticket = report(team, SATURDAY_NIGHT)
    acknowledge(ticket.page.id, SATURDAY_NIGHT + timedelta(minutes=5), alice, via="dashboard")
    run_once(MONDAY_OPENING)
    assert reminders() == []
    assert ResponseTarget.objects.get(ticket=ticket).responded_at == SATURDAY_NIGHT + timedelta(minutes=5)


def test_marked_responded_not_reminded(team, targets):
    ticket = report(team, FRIDAY_AFTERNOON, site_down="no", affects_half="no")
    mark_responded(ticket, uk("2026-12-07T09:30"))
    run_once(uk("2026-12-07T10:30"))
    assert reminders() == []


def test_resolved_not_reminded(team, targets):
    ticket = report(team, FRIDAY_AFTERNOON, site_down="no", affects_half="no")
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.RESOLVED)
    run_once(uk("2026-12-07T10:30"))
    assert reminders() == []


def test_triage_shows_respond_by(team, targets):
    output = StringIO()
    call_command("triage", "--q1", "no", "--q2", "no", "--at", "2026-12-04T15:00", "--json", stdout=output)
    assert json.loads(output.getvalue())["respond_by"] == "2026-12-07T10:30:00+00:00"


def test_api_ticket_shows_respond_by(client, team, targets, time_machine, django_user_model):
    user = django_user_model.objects.create_user(username="erin", is_staff=True)
    _token, secret = ApiToken.issue(user, "tests")
    time_machine.move_to(FRIDAY_AFTERNOON, tick=False)
    created = client.post("/api/v1/tickets", report_body(site_down=False, affects_half=False), content_type="application/json")
    # The customer's helpdesk does not see the agency's own target.
    assert "respond_by" not in created.json()
    detail = client.get(f"/api/v1/tickets/{created.json()['ref']}", headers={"Authorization": f"Bearer {secret}"})
    assert detail.json()["respond_by"] == "2026-12-07T10:30:00Z"
