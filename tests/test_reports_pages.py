"""The reports page, its CSV files, the dashboard at a glance, drills and the misuse form."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from conftest import utc
from oohdesk import links
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import DemoPhoneMessage, NotificationAttempt
from oohdesk.tickets import actions
from oohdesk.tickets.actions import Actor
from oohdesk.tickets.drills import start_drill
from oohdesk.tickets.models import AuditEntry, Drill, Ticket
from reports import GOOD_REPORT, report

# Wednesday 9 December 2026 at 23:00 GMT: out of hours, Alice's week on call.
NIGHT = utc(2026, 12, 9, 23, 0)
PERIOD = {"date_from": "2026-12-07", "date_to": "2026-12-13", "since": "2026-11-30", "zone": "Europe/London"}


@pytest.fixture
def paged_night(team, alice):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    actions.acknowledge_ticket(ticket, NIGHT + timedelta(seconds=90), Actor.for_member(alice), "dashboard")
    return ticket


def test_reports_staff_only(client, alice_user, team):
    client.force_login(alice_user)
    response = client.get(reverse("reports"))
    assert response.status_code == 403
    assert client.get(reverse("reports-csv", args=["weeks"])).status_code == 403


def test_reports_page_figures(admin_client, paged_night):
    response = admin_client.get(reverse("reports"), PERIOD)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html
    assert "Interruptions per week" in html
    assert "<script" not in html
    assert "Acme Widgets" in html
    assert "1 min 30 s" in html
    assert "Rota fairness since 30 November 2026" in html


def test_reports_default_period(admin_client, team):
    with time_machine.travel(NIGHT, tick=False):
        html = admin_client.get(reverse("reports")).content.decode()
    assert "From Monday 9 November 2026 to Wednesday 9 December 2026" in html


def test_reports_bad_dates(admin_client, team):
    response = admin_client.get(reverse("reports"), {**PERIOD, "date_from": "2026-12-20"})
    assert response.status_code == 400
    assert "Choose an end date on or after the start date." in response.content.decode()
    response = admin_client.get(reverse("reports"), {**PERIOD, "date_to": "next week"})
    assert "Enter a date such as 2026-03-29." in response.content.decode()
    response = admin_client.get(reverse("reports"), {**PERIOD, "zone": "Mars/Base"})
    assert "is not an IANA time zone" in response.content.decode()


def test_reports_csv_download(admin_client, paged_night):
    response = admin_client.get(reverse("reports-csv", args=["weeks"]), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "oohdesk-weeks-2026-12-07-to-2026-12-13.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1] == ["2026-12-07", "1", "1", "1", "1", "1", "1", "90", "90", "0"]


@pytest.mark.parametrize("section", ["people", "people-weeks", "organisations", "fairness"])
def test_reports_csv_sections(admin_client, paged_night, section):
    response = admin_client.get(reverse("reports-csv", args=[section]), PERIOD)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response.status_code == 200
    assert len(rows) >= 2, rows


def test_reports_csv_bad_input(admin_client, team):
    response = admin_client.get(reverse("reports-csv", args=["weeks"]), {**PERIOD, "since": "yesterday"})
    assert response.status_code == 400
    assert "since: Enter a date such as 2026-01-05." in response.content.decode()
    assert admin_client.get("/reports/everything.csv").status_code == 404


def test_dashboard_at_a_glance(client, alice_user, team, alice, bob, paged_night):
    bob.time_zone = "America/New_York"
    bob.save()
    held = report(team, NIGHT, site_down="no", affects_half="no", summary="Typo on the about page")
    client.force_login(alice_user)
    with time_machine.travel(NIGHT + timedelta(minutes=5), tick=False):
        html = client.get(reverse("dashboard")).content.decode()
    assert "Their time: 23:05 on Wed (UK time)" in html
    assert "Their time: 18:05 on Wed (America/New_York)" in html
    assert "Held until working hours" in html
    assert held.ref in html
    assert "Released at 09:00:00, Thu 10 Dec 2026 (UK time)" in html
    assert "This week's interruptions" in html
    assert '<tr><th scope="row">Alice</th><td>1</td><td>1</td><td>1</td></tr>' in html


def test_drill_pages_only_chosen(client, alice_user, team, alice, bob, charlie):
    drill = start_drill(team, bob, "Dana's first week", alice_user, NIGHT)
    url = reverse("drill-report", args=[drill.token])
    form_page = client.get(url).content.decode()
    assert "Drill" in form_page
    with time_machine.travel(NIGHT, tick=False):
        response = client.post(url, {**GOOD_REPORT, "site_down": "yes", "affects_half": "yes"}, follow=True)
    assert "drill report" in response.content.decode()
    ticket = Ticket.objects.get()
    assert ticket.is_drill
    assert ticket.ref.startswith("DRILL-")
    for minutes in range(0, 60, 5):
        run_once(NIGHT + timedelta(minutes=minutes))
    assert DemoPhoneMessage.objects.filter(member=alice).count() == 0
    assert DemoPhoneMessage.objects.filter(member=charlie).count() == 0
    shown = DemoPhoneMessage.objects.filter(member=bob).order_by("received_at").first()
    assert shown.title.startswith("DRILL ")
    assert "This is a drill" in shown.body
    status_page = client.get(links.status_path(ticket.ref)).content.decode()
    assert "this is a practice run" in status_page


def test_drill_link_expires(client, team, bob, settings):
    drill = start_drill(team, bob, "Old drill", None, NIGHT - timedelta(hours=settings.OOHDESK_DRILL_HOURS))
    with time_machine.travel(NIGHT - timedelta(seconds=1), tick=False):
        assert client.get(reverse("drill-report", args=[drill.token])).status_code == 200
    with time_machine.travel(NIGHT, tick=False):
        assert client.get(reverse("drill-report", args=[drill.token])).status_code == 404


def test_drill_page_start(client, alice_user, team, alice, bob):
    client.force_login(alice_user)
    page = client.get(reverse("drills")).content.decode()
    # A developer who is not staff may drill only themselves.
    assert f'value="{alice.id}"' in page
    assert f'value="{bob.id}"' not in page
    response = client.post(reverse("drills"), {"label": "My first week", "member": bob.id, "team": team.id})
    assert response.status_code == 400
    assert "Choose a person from the list." in response.content.decode()
    client.post(reverse("drills"), {"label": "My first week", "member": alice.id, "team": team.id})
    drill = Drill.objects.get()
    assert drill.member == alice
    assert reverse("drill-report", args=[drill.token]) in client.get(reverse("drills")).content.decode()


def test_drill_left_out_of_misuse(team, alice, bob, settings):
    settings.OOHDESK_MISUSE_LIMIT = 0
    drill = start_drill(team, bob, "Practice", None, NIGHT)
    from oohdesk.tickets.forms import IssueReportForm
    from oohdesk.tickets.intake import accept_report

    form = IssueReportForm(data={**GOOD_REPORT, "site_down": "yes", "affects_half": "yes"})
    assert form.is_valid()
    ticket = accept_report(form, team, NIGHT, source="form", drill=drill).ticket
    actions.judge(ticket, NIGHT, Actor.for_member(bob), "dashboard", False)
    assert not NotificationAttempt.objects.filter(purpose="notice").exists()


def test_flagged_form_shows_criteria_first(client, team, alice, settings):
    settings.OOHDESK_MISUSE_LIMIT = 0
    ticket = report(team, NIGHT)
    actions.judge(ticket, NIGHT, Actor.for_member(alice), "dashboard", False)
    with time_machine.travel(NIGHT + timedelta(days=1), tick=False):
        flagged = client.get(reverse("report"), {"organisation": "Acme Widgets"}).content.decode()
        other = client.get(reverse("report"), {"organisation": "Other Ltd"}).content.decode()
    assert "criteria prominent" in flagged
    assert flagged.index("Is this an emergency?") < flagged.index('id="id_reporter_name"')
    assert 'value="Acme Widgets"' in flagged
    assert "criteria prominent" not in other
    assert other.index("Is this an emergency?") > other.index('id="id_reporter_name"')


def test_flagged_organisation_remembered(client, team, alice, settings):
    settings.OOHDESK_MISUSE_LIMIT = 0
    with time_machine.travel(NIGHT, tick=False):
        client.post(reverse("report"), {**GOOD_REPORT, "site_down": "yes", "affects_half": "yes"})
    ticket = Ticket.objects.get()
    actions.judge(ticket, NIGHT, Actor.for_member(alice), "dashboard", False)
    with time_machine.travel(NIGHT + timedelta(hours=1), tick=False):
        page = client.get(reverse("report")).content.decode()
        sent = client.post(reverse("report"), {**GOOD_REPORT, "site_down": "yes", "affects_half": "yes"})
    assert "criteria prominent" in page
    # Never blocked: the second urgent report is accepted and pages.
    assert sent.status_code == 302
    assert Ticket.objects.count() == 2
    assert Ticket.objects.order_by("-id").first().page is not None


def test_audit_names_channel_in_page(client, alice_user, paged_night):
    client.force_login(alice_user)
    html = client.get(reverse("ticket-detail", args=[paged_night.ref])).content.decode()
    assert AuditEntry.objects.filter(ticket=paged_night, action="acknowledged", channel="dashboard").exists()
    assert "<td>Dashboard</td>" in html


def test_weekly_summary_waits_for_hours(team, alice, charlie, paged_night):
    from django.core.management import call_command

    with time_machine.travel(utc(2026, 12, 12, 22, 0), tick=False):
        call_command("wellbeing", "--week", "2026-12-09", "--notify", stdout=io.StringIO())
    [notice] = NotificationAttempt.objects.filter(purpose="notice")
    assert notice.member == charlie
    assert notice.title == "Well-being summary for the week of 7 December 2026"
    assert "Alice: 1 page received, 1 out of hours, 1 at night." in notice.body
    # Saturday 22:00 is out of Charlie's hours, so the summary waits for Monday 09:00.
    assert notice.due_at == utc(2026, 12, 14, 9, 0)


def test_weekly_summary_bad_week(db):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--week: 'last' is not a date"):
        call_command("wellbeing", "--week", "last")


def test_admin_audit_pages_render(admin_client, paged_night, team, bob):
    start_drill(team, bob, "Practice", None, NIGHT)
    entry = AuditEntry.objects.filter(ticket=paged_night).first()
    paths = [
        reverse("admin:tickets_auditentry_changelist"),
        reverse("admin:tickets_auditentry_change", args=[entry.id]),
        reverse("admin:tickets_drill_changelist"),
        reverse("admin:tickets_misusealert_changelist"),
    ]
    for path in paths:
        assert admin_client.get(path).status_code == 200, path


def test_drill_release_tells_only_chosen(team, alice, bob, charlie):
    from oohdesk.paging.releases import release_held_tickets
    from oohdesk.tickets.forms import IssueReportForm
    from oohdesk.tickets.intake import accept_report

    drill = start_drill(team, bob, "Practice", None, NIGHT)
    form = IssueReportForm(data={**GOOD_REPORT, "site_down": "no", "affects_half": "no"})
    assert form.is_valid()
    ticket = accept_report(form, team, NIGHT, source="form", drill=drill).ticket
    assert ticket.status == Ticket.Status.HELD

    assert release_held_tickets(ticket.release_at) == 1
    notices = NotificationAttempt.objects.filter(purpose="notice")
    assert [notice.member for notice in notices] == [bob]
    assert notices[0].title.startswith("DRILL ")
