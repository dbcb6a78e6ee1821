"""The web pages through Django's test client: report form, status, dashboard, ack links, demo phone."""

import re
from datetime import date, datetime, time, timezone

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from oohdesk import links
from oohdesk.api.models import ApiToken, hash_token
from oohdesk.paging import engine
from oohdesk.paging.escalation import escalate_due_pages
from oohdesk.paging.models import DemoPhoneMessage, NotificationAttempt, Page
from oohdesk.rota.models import Rota, Team
from oohdesk.tickets.forms import AFFECTS_HALF_QUESTION, SITE_DOWN_QUESTION
from oohdesk.tickets.models import Ticket

# Monday 7 December 2026, 10:00 UK time: working hours, Alice's week on call.
MONDAY_MORNING = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)
# Saturday 5 December 2026, 22:00 UK time: out of hours.
SATURDAY_NIGHT = datetime(2026, 12, 5, 22, 0, tzinfo=timezone.utc)

CRITERIA = [
    "site is completely down",
    "cannot process payments",
    "key functionality is failing",
    "50% or more of your users",
]


def report_data(site_down: str | None = "yes", affects_half: str | None = "no", **changes) -> dict:
    data = {
        "reporter_name": "Dana Customer",
        "reporter_email": "dana@shop.example",
        "reporter_phone": "020 7946 0000",
        "organisation": "Shop Ltd",
        "site": "https://shop.example",
        "summary": "Checkout fails with an error",
        "description": "Every payment attempt shows error 500 since 21:40.",
        "site_down": site_down,
        "affects_half": affects_half,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def send_report(client, **answers):
    return client.post(reverse("report"), report_data(**answers))


@pytest.fixture
def bob_user(django_user_model, bob):
    user = django_user_model.objects.create_user("bob", password="correct horse battery")
    bob.user = user
    bob.save()
    return user


@pytest.fixture
def urgent_page(client, team):
    """A P2 page opened on Monday morning, before the engine has sent anything."""
    with time_machine.travel(MONDAY_MORNING, tick=False):
        send_report(client)
    return Page.objects.get()


# The report form


def test_root_redirects_to_report(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/report/"


def test_form_questions_unanswered(client, team):
    response = client.get(reverse("report"))
    html = response.content.decode()

    assert response.status_code == 200
    assert SITE_DOWN_QUESTION in html
    assert AFFECTS_HALF_QUESTION in html
    radios = re.findall(r"<input [^>]*type=\"radio\"[^>]*>", html)
    assert len(radios) == 4
    assert not any("checked" in radio for radio in radios)
    assert html.count("<legend") == 2


def test_form_criteria_above_questions(client, team):
    html = client.get(reverse("report")).content.decode()
    first_question = html.index(SITE_DOWN_QUESTION)

    for criterion in CRITERIA:
        assert 0 < html.index(criterion) < first_question, criterion
    assert "genuine emergency" in html
    assert html.index("genuine emergency") < first_question


def test_form_labels_tied_to_inputs(client, team):
    html = client.get(reverse("report")).content.decode()

    for name in ["reporter_name", "reporter_email", "reporter_phone", "organisation", "site", "summary", "description"]:
        assert f'<label for="id_{name}"' in html, name
        assert f'id="id_{name}"' in html, name


def test_form_without_teams(client, db):
    response = client.get(reverse("report"))

    assert response.status_code == 200
    assert "not set up yet" in response.content.decode()
    assert "<form" not in response.content.decode().split("<main>")[1]


def test_form_several_teams(client, team, calendar, policy):
    Team.objects.create(slug="apps", name="Apps team", calendar=calendar, escalation_policy=policy)

    listing = client.get(reverse("report")).content.decode()
    assert 'href="/report/web/"' in listing
    assert 'href="/report/apps/"' in listing
    assert SITE_DOWN_QUESTION not in listing

    form_page = client.get(reverse("report-team", args=["apps"])).content.decode()
    assert "Apps team" in form_page
    assert SITE_DOWN_QUESTION in form_page

    assert client.get("/report/nowhere/").status_code == 404


def test_report_for_chosen_team(client, team, calendar, policy):
    apps = Team.objects.create(slug="apps", name="Apps team", calendar=calendar, escalation_policy=policy)

    with time_machine.travel(MONDAY_MORNING, tick=False):
        response = client.post(reverse("report-team", args=["apps"]), report_data(site_down="no", affects_half="no"))

    assert response.status_code == 302
    assert Ticket.objects.get().team == apps


# Sending a report


def test_urgent_report_pages_and_confirms(client, team):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        response = send_report(client, site_down="yes", affects_half="no")
        ticket = Ticket.objects.get()
        expected_location = reverse("ticket-confirmation", args=[links.status_token(ticket.ref)])
        expected_status_url = links.status_url(ticket.ref)
        confirmation = client.get(response["Location"]).content.decode()

    assert response.status_code == 302
    assert response["Location"] == expected_location
    assert Page.objects.filter(ticket=ticket).count() == 1
    assert ticket.ref in confirmation
    assert "P2, High" in confirmation
    assert "has been alerted" in confirmation
    assert expected_status_url in confirmation


def test_normal_report_out_of_hours(client, team):
    with time_machine.travel(SATURDAY_NIGHT, tick=False):
        response = send_report(client, site_down="no", affects_half="no")
        confirmation = client.get(response["Location"]).content.decode()

    ticket = Ticket.objects.get()
    assert ticket.status == Ticket.Status.HELD
    assert Page.objects.count() == 0
    assert "P3, Normal" in confirmation
    assert "09:00 on Monday 7 December 2026 (UK time)" in confirmation


def test_missing_fields_store_nothing(client, team):
    response = client.post(reverse("report"), {"site_down": "maybe"})
    html = response.content.decode()

    assert response.status_code == 200
    assert Ticket.objects.count() == 0
    assert Page.objects.count() == 0
    assert "Your report has not been sent" in html
    assert "Enter your name." in html
    assert "Enter your email address." in html
    assert html.count("Answer Yes or No.") == 4  # In the summary and beside each question.
    for name in ["reporter_name", "reporter_email", "reporter_phone", "organisation", "site", "summary", "description"]:
        assert f'id="id_{name}_error"' in html, name
        assert f'href="#id_{name}"' in html, name
    for name in ["site_down", "affects_half"]:
        assert f'id="id_{name}_error"' in html, name
        assert f'href="#id_{name}_0"' in html, name


def test_invalid_email_keeps_other_answers(client, team):
    response = send_report(client, reporter_email="not-an-email")
    html = response.content.decode()

    assert Ticket.objects.count() == 0
    assert "Enter a valid email address" in html
    assert 'value="Dana Customer"' in html
    assert re.search(r'<input [^>]*value="yes"[^>]*checked', html)


def test_double_submit_stores_one_ticket(client, team):
    data = report_data(form_key="form-" + "a" * 32)

    with time_machine.travel(MONDAY_MORNING, tick=False):
        first = client.post(reverse("report"), data)
        second = client.post(reverse("report"), data)

    assert Ticket.objects.count() == 1
    assert Page.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_changed_resubmit_is_new_ticket(client, team):
    key = "form-" + "b" * 32

    with time_machine.travel(MONDAY_MORNING, tick=False):
        client.post(reverse("report"), report_data(form_key=key))
        client.post(reverse("report"), report_data(form_key=key, summary="Login fails too"))

    assert Ticket.objects.count() == 2


# The status page


def test_status_page_shows_state(client, urgent_page):
    ticket = urgent_page.ticket

    html = client.get(links.status_path(ticket.ref)).content.decode()

    assert ticket.ref in html
    assert ticket.summary in html
    assert "On-call developer alerted" in html
    assert "10:00 on Monday 7 December 2026 (UK time)" in html
    assert "alice@agency.example" not in html
    assert "bob@agency.example" not in html


def test_status_page_after_ack(client, urgent_page, alice):
    status_path_for_ticket = links.status_path(urgent_page.ticket.ref)
    client.post(reverse("page-ack-link", args=[links.ack_token(urgent_page.id, alice.id)]))

    html = client.get(status_path_for_ticket).content.decode()

    assert "Acknowledged by a developer" in html
    assert "Alice" not in html


def test_tampered_status_token(client, urgent_page):
    token = links.status_token(urgent_page.ticket.ref)

    for path in [reverse("ticket-status", args=[token + "x"]), reverse("ticket-confirmation", args=["x" + token])]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "invalid or has expired" in response.content.decode()
        assert urgent_page.ticket.ref not in response.content.decode()


def test_status_rejects_ack_token(client, urgent_page, alice):
    response = client.get(reverse("ticket-status", args=[links.ack_token(urgent_page.id, alice.id)]))

    assert response.status_code == 404


# The dashboard


def test_dashboard_requires_login(client, db):
    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/dashboard/"


def test_login_page_signs_in(client, alice_user):
    assert client.get(reverse("login")).status_code == 200

    response = client.post(reverse("login"), {"username": "alice", "password": "correct horse battery"})

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_login_wrong_password(client, alice_user):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert "missing or incorrect" in response.content.decode()


def test_dashboard_shows_on_call_and_pages(client, alice_user, urgent_page):
    client.force_login(alice_user)

    with time_machine.travel(MONDAY_MORNING, tick=False):
        html = client.get(reverse("dashboard")).content.decode()

    assert "<strong>Alice</strong>, until 09:00 on Monday 14 December 2026 (UK time)" in html
    assert "<strong>Bob</strong>, from 09:00 on Monday 14 December 2026 (UK time)" in html
    assert urgent_page.ticket.ref in html
    assert "Shop Ltd" in html
    assert "Step 1 of 3: The developer on call" in html
    assert reverse("page-ack", args=[urgent_page.id]) in html
    assert reverse("demo-phone", args=[alice_user.member.id]) in html
    assert "Bob's demo phone" not in html


def test_dashboard_in_viewer_zone(client, alice_user, alice, urgent_page):
    alice.time_zone = "America/New_York"
    alice.save()
    client.force_login(alice_user)

    with time_machine.travel(MONDAY_MORNING, tick=False):
        html = client.get(reverse("dashboard")).content.decode()

    assert "until 04:00 on Monday 14 December 2026 (America/New_York)" in html


def test_dashboard_without_member_uses_rota_zone(client, admin_user, team):
    Rota.objects.filter(team=team).update(time_zone="Europe/Paris")
    client.force_login(admin_user)

    with time_machine.travel(MONDAY_MORNING, tick=False):
        html = client.get(reverse("dashboard")).content.decode()

    assert "until 09:00 on Monday 14 December 2026 (Europe/Paris)" in html
    assert "Alice's demo phone" in html
    assert "Bob's demo phone" in html


def test_dashboard_ack_stops_escalation(client, alice_user, alice, urgent_page):
    assert urgent_page.attempts.filter(status=NotificationAttempt.Status.PENDING).exists()
    client.force_login(alice_user)

    with time_machine.travel(MONDAY_MORNING, tick=False):
        response = client.post(reverse("page-ack", args=[urgent_page.id]), follow=True)

    urgent_page.refresh_from_db()
    assert urgent_page.status == Page.Status.ACKNOWLEDGED
    assert urgent_page.acknowledged_by == alice
    assert urgent_page.acknowledged_via == "dashboard"
    assert urgent_page.step_due_at is None
    assert not urgent_page.attempts.filter(status=NotificationAttempt.Status.PENDING).exists()
    assert urgent_page.attempts.filter(status=NotificationAttempt.Status.CANCELLED).exists()
    assert "Acknowledged. Escalation has stopped." in response.content.decode()
    assert escalate_due_pages(datetime(2026, 12, 8, tzinfo=timezone.utc)) == 0


def test_dashboard_ack_twice(client, alice_user, urgent_page):
    client.force_login(alice_user)
    client.post(reverse("page-ack", args=[urgent_page.id]))

    response = client.post(reverse("page-ack", args=[urgent_page.id]), follow=True)

    assert "already acknowledged" in response.content.decode()


def test_dashboard_ack_needs_post(client, alice_user, urgent_page):
    client.force_login(alice_user)

    assert client.get(reverse("page-ack", args=[urgent_page.id])).status_code == 405
    assert client.post(reverse("page-ack", args=[urgent_page.id + 1000])).status_code == 404
    urgent_page.refresh_from_db()
    assert urgent_page.status == Page.Status.TRIGGERED


def test_dashboard_ack_back_to_detail(client, alice_user, urgent_page):
    client.force_login(alice_user)
    detail = reverse("page-detail", args=[urgent_page.id])

    back = client.post(reverse("page-ack", args=[urgent_page.id]), {"next": detail})
    elsewhere = client.post(reverse("page-ack", args=[urgent_page.id]), {"next": "https://elsewhere.example/"})

    assert back["Location"] == detail
    assert elsewhere["Location"] == reverse("dashboard")


def test_page_detail_timeline(client, alice_user, urgent_page):
    client.force_login(alice_user)
    with time_machine.travel(MONDAY_MORNING, tick=False):
        engine.run_once()

    response = client.get(reverse("page-detail", args=[urgent_page.id]))
    html = response.content.decode()

    assert response.status_code == 200
    assert urgent_page.ticket.ref in html
    assert "Checkout fails with an error" in html
    assert "Step started" in html
    assert "Step 1: paging Alice." in html
    assert "demo_phone" in html
    assert "Sent" in html
    assert "10:00:00, Mon 7 Dec 2026 (UK time)" in html
    assert 'action="' + reverse("page-ack", args=[urgent_page.id]) + '"' in html


def test_page_detail_requires_login(client, urgent_page):
    response = client.get(reverse("page-detail", args=[urgent_page.id]))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# Signed acknowledgement links


def test_ack_link_get_does_not_acknowledge(client, urgent_page, alice):
    path = reverse("page-ack-link", args=[links.ack_token(urgent_page.id, alice.id)])

    response = client.get(path)
    html = response.content.decode()

    assert response.status_code == 200
    assert urgent_page.ticket.ref in html
    assert "P2, High" in html
    assert urgent_page.ticket.summary in html
    assert "Acknowledge</button>" in html
    urgent_page.refresh_from_db()
    assert urgent_page.status == Page.Status.TRIGGERED


def test_ack_link_post_acknowledges(urgent_page, alice):
    client = Client(enforce_csrf_checks=True)
    path = reverse("page-ack-link", args=[links.ack_token(urgent_page.id, alice.id)])
    form = client.get(path).content.decode()
    csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    response = client.post(path, {"csrfmiddlewaretoken": csrf_token})

    assert response.status_code == 200
    assert "Acknowledged. Escalation has stopped." in response.content.decode()
    urgent_page.refresh_from_db()
    assert urgent_page.status == Page.Status.ACKNOWLEDGED
    assert urgent_page.acknowledged_by == alice
    assert urgent_page.acknowledged_via == "link"
    assert not urgent_page.attempts.filter(status=NotificationAttempt.Status.PENDING).exists()


def test_ack_link_bad_token(client, urgent_page, alice):
    token = links.ack_token(urgent_page.id, alice.id)
    status_token = links.status_token(urgent_page.ticket.ref)

    for bad in [token[:-2], "nonsense", status_token]:
        for method in [client.get, client.post]:
            response = method(reverse("page-ack-link", args=[bad]))
            assert response.status_code == 404, bad
            assert "This link is no longer valid" in response.content.decode()
            assert urgent_page.ticket.ref not in response.content.decode()
    urgent_page.refresh_from_db()
    assert urgent_page.status == Page.Status.TRIGGERED


def test_ack_link_expired(client, urgent_page, alice):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        token = links.ack_token(urgent_page.id, alice.id)

    with time_machine.travel(datetime(2026, 12, 30, tzinfo=timezone.utc), tick=False):
        response = client.get(reverse("page-ack-link", args=[token]))

    assert response.status_code == 404


# The demo phone


def test_demo_phone_shows_message(client, alice_user, urgent_page):
    client.force_login(alice_user)
    with time_machine.travel(MONDAY_MORNING, tick=False):
        engine.run_once()
        response = client.get(reverse("demo-phone", args=[alice_user.member.id]))
    html = response.content.decode()

    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in html
    assert 'class="phone"' in html
    assert f"[P2] {urgent_page.ticket.ref}: Checkout fails with an error" in html
    assert "10:00:00, Mon 7 Dec" in html
    assert "Acknowledge</button>" in html


def test_demo_phone_acknowledges(client, alice_user, alice, urgent_page):
    client.force_login(alice_user)
    with time_machine.travel(MONDAY_MORNING, tick=False):
        engine.run_once()
    message = DemoPhoneMessage.objects.get(member=alice)
    phone = reverse("demo-phone", args=[alice.id])

    response = client.post(phone, {"message": message.id}, follow=True)
    html = response.content.decode()

    urgent_page.refresh_from_db()
    assert urgent_page.status == Page.Status.ACKNOWLEDGED
    assert urgent_page.acknowledged_via == "demo_phone"
    assert urgent_page.acknowledged_by == alice
    assert "Acknowledged by Alice" in html
    assert "Acknowledge</button>" not in html


def test_demo_phone_newest_first(client, alice_user, alice):
    client.force_login(alice_user)
    for hour in [8, 9, 7]:
        DemoPhoneMessage.objects.create(
            member=alice, title=f"Message at {hour}", body="", received_at=datetime(2026, 12, 7, hour, tzinfo=timezone.utc)
        )

    html = client.get(reverse("demo-phone", args=[alice.id])).content.decode()

    assert html.index("Message at 9") < html.index("Message at 8") < html.index("Message at 7")


def test_demo_phone_others_forbidden(client, alice, bob_user, urgent_page):
    client.force_login(bob_user)
    with time_machine.travel(MONDAY_MORNING, tick=False):
        engine.run_once()
    message = DemoPhoneMessage.objects.get(member=alice)

    assert client.get(reverse("demo-phone", args=[alice.id])).status_code == 403
    assert client.post(reverse("demo-phone", args=[alice.id]), {"message": message.id}).status_code == 403
    urgent_page.refresh_from_db()
    assert urgent_page.status == Page.Status.TRIGGERED
    assert client.get(reverse("demo-phone", args=[bob_user.member.id])).status_code == 200


def test_demo_phone_staff_sees_any(admin_client, alice):
    assert admin_client.get(reverse("demo-phone", args=[alice.id])).status_code == 200
    assert admin_client.get(reverse("demo-phone", args=[alice.id + 1000])).status_code == 404


def test_demo_phone_requires_login(client, alice):
    response = client.get(reverse("demo-phone", args=[alice.id]))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# The admin


def test_admin_pages_render(admin_client, urgent_page):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        engine.run_once()
    ticket = urgent_page.ticket
    paths = [
        reverse("admin:hours_businesscalendar_change", args=[ticket.team.calendar.id]),
        reverse("admin:rota_member_change", args=[ticket.team.lead.id]),
        reverse("admin:rota_rota_change", args=[ticket.team.rota.id]),
        reverse("admin:rota_team_changelist"),
        reverse("admin:paging_escalationpolicy_change", args=[ticket.team.escalation_policy.id]),
        reverse("admin:paging_page_change", args=[urgent_page.id]),
        reverse("admin:paging_notificationattempt_changelist"),
        reverse("admin:paging_demophonemessage_changelist"),
        reverse("admin:tickets_ticket_changelist"),
        reverse("admin:tickets_ticket_change", args=[ticket.id]),
        reverse("admin:api_apitoken_add"),
    ]

    for path in paths:
        assert admin_client.get(path).status_code == 200, path
    page_html = admin_client.get(reverse("admin:paging_page_change", args=[urgent_page.id])).content.decode()
    assert "Step 1: paging Alice." in page_html


def test_admin_api_token_shown_once(admin_client, admin_user):
    add_page = admin_client.get(reverse("admin:api_apitoken_add")).content.decode()
    assert "token_hash" not in add_page

    response = admin_client.post(
        reverse("admin:api_apitoken_add"), {"name": "Zendesk", "user": admin_user.id}, follow=True
    )
    html = response.content.decode()

    token = ApiToken.objects.get()
    secret = re.search(r"ooh_[A-Za-z0-9_-]+", html).group(0)
    assert token.name == "Zendesk"
    assert token.token_hash not in html
    assert token.token_hash == hash_token(secret)


def test_rota_fixture_week(team):
    """Alice is on call in the week of 7 December 2026, which the dashboard tests rely on."""
    shift = team.rota.plan().shift_at(MONDAY_MORNING)

    assert shift.member.name == "Alice"
    assert shift.start == datetime.combine(date(2026, 12, 7), time(9), tzinfo=timezone.utc)


def test_csrf_failure_page_explains(db, team):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/report/", {"reporter_name": "Dana"})
    assert response.status_code == 403
    assert "Please send the form again" in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
