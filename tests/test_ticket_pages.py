"""The staff ticket page, actions from a page link, and the customer's status page."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from conftest import utc
from oohdesk import links
from oohdesk.paging.models import ContactMethod, Page
from oohdesk.tickets.models import AuditEntry, Ticket
from reports import report

NIGHT = utc(2026, 12, 9, 23, 0)


@pytest.fixture
def ticket(team):
    return report(team, NIGHT)


def ticket_url(ticket) -> str:
    return reverse("ticket-detail", args=[ticket.ref])


def test_ticket_page_requires_login(client, ticket):
    response = client.get(ticket_url(ticket))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_ticket_page_shows_actions(client, alice_user, ticket):
    client.force_login(alice_user)
    html = client.get(ticket_url(ticket)).content.decode()
    for action in ["acknowledge", "resolve", "defer", "priority", "judge", "reply", "note"]:
        assert f'name="action" value="{action}"' in html, action
    assert "Audit trail" in html
    assert "Report received" in html


def test_ticket_page_lower_case_ref(client, alice_user, ticket):
    client.force_login(alice_user)
    assert client.get(reverse("ticket-detail", args=[ticket.ref.lower()])).status_code == 200


def test_dashboard_defer_records_user(client, alice_user, alice, ticket):
    client.force_login(alice_user)
    with time_machine.travel(NIGHT + timedelta(minutes=2), tick=False):
        response = client.post(ticket_url(ticket), {"action": "defer", "reason": "Only the FAQ page is slow."})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.is_deferred
    entry = AuditEntry.objects.get(ticket=ticket, action="deferred")
    assert entry.actor_member == alice
    assert entry.actor_user == alice_user
    assert entry.channel == "dashboard"
    page = client.get(ticket_url(ticket)).content.decode()
    assert "is deferred to 09:00 on Thursday 10 December 2026 (UK time)" in page
    assert "Only the FAQ page is slow." in page


def test_dashboard_defer_without_reason(client, alice_user, ticket):
    client.force_login(alice_user)
    response = client.post(ticket_url(ticket), {"action": "defer", "reason": ""})
    assert response.status_code == 400
    assert "Enter the reason it can wait for working hours." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.priority == "P1"


def test_dashboard_bad_reply_keeps_text(client, alice_user, alice, ticket):
    client.force_login(alice_user)
    text = "Ring Alice on alice@agency.example"
    response = client.post(ticket_url(ticket), {"action": "reply", "text": text})
    html = response.content.decode()
    assert response.status_code == 400
    assert "customers never see staff contact details" in html
    assert text in html


def test_dashboard_unknown_action(client, alice_user, ticket):
    client.force_login(alice_user)
    response = client.post(ticket_url(ticket), {"action": "delete"})
    assert response.status_code == 400
    assert "is not an action" in response.content.decode()


def test_dashboard_judge_needs_answer(client, alice_user, ticket):
    client.force_login(alice_user)
    response = client.post(ticket_url(ticket), {"action": "judge"})
    assert response.status_code == 400
    assert "Choose whether this was a genuine emergency" in response.content.decode()


def test_link_actions_as_member(client, alice, ticket):
    url = links.ack_url(ticket.page.id, alice.id).removeprefix("http://127.0.0.1:8000")
    client.get(url)
    acknowledged = client.post(url)
    assert "Acknowledged. Escalation has stopped." in acknowledged.content.decode()
    resolved = client.post(url, {"action": "resolve", "note": "Cleared the cache."}, follow=True)
    assert "is resolved" in resolved.content.decode()

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    entries = AuditEntry.objects.filter(ticket=ticket).exclude(action="received")
    assert [(entry.action, entry.channel, entry.actor_name) for entry in entries] == [
        ("acknowledged", "link", "Alice"),
        ("resolved", "link", "Alice"),
    ]


def test_link_get_changes_nothing(client, alice, ticket):
    url = links.ack_url(ticket.page.id, alice.id).removeprefix("http://127.0.0.1:8000")
    response = client.get(url, {"action": "resolve", "note": "x"})
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.page.status == Page.Status.TRIGGERED


def test_link_defer_error_shown(client, alice, ticket):
    url = links.ack_url(ticket.page.id, alice.id).removeprefix("http://127.0.0.1:8000")
    response = client.post(url, {"action": "defer", "reason": " "})
    assert response.status_code == 400
    assert "Enter the reason it can wait" in response.content.decode()


def status_html(client, ticket) -> str:
    return client.get(links.status_path(ticket.ref)).content.decode()


def test_status_page_states(client, team, alice, ticket):
    from oohdesk.tickets import actions
    from oohdesk.tickets.actions import Actor

    html = status_html(client, ticket)
    assert "On-call developer alerted" in html
    assert "We alerted the on-call developer." in html

    actions.acknowledge_ticket(ticket, NIGHT + timedelta(minutes=1), Actor.for_member(alice), "dashboard")
    assert "Acknowledged by a developer" in status_html(client, ticket)

    actions.reply(ticket, NIGHT + timedelta(minutes=2), Actor.for_member(alice), "dashboard", "Looking at the payment logs now.")
    actions.defer(ticket, NIGHT + timedelta(minutes=5), Actor.for_member(alice), "dashboard", "Only one customer affected.")
    html = status_html(client, ticket)
    assert "Deferred to working hours" in html
    assert "until 09:00 on Thursday 10 December 2026 (UK time)" in html
    assert "Looking at the payment logs now." in html
    assert "Last update</dt><dd>23:05 on Wednesday 9 December 2026 (UK time)" in html
    assert "Only one customer affected." not in html

    actions.resolve(ticket, NIGHT + timedelta(hours=11), Actor.for_member(alice), "dashboard", "Fixed the plugin.")
    html = status_html(client, ticket)
    assert "<strong class=\"state\">Resolved</strong>" in html
    assert "Your report was resolved." in html
    assert "Fixed the plugin." not in html


def test_status_page_hides_staff(client, team, alice, bob, ticket):
    from oohdesk.tickets import actions
    from oohdesk.tickets.actions import Actor

    ContactMethod.objects.create(member=alice, kind="sms", address="+447700900123", position=1)
    actions.acknowledge_ticket(ticket, NIGHT, Actor.for_member(alice), "demo_phone")
    actions.add_note(ticket, NIGHT, Actor.for_member(alice), "dashboard", "Bob knows this server.")
    actions.reply(ticket, NIGHT, Actor.for_member(alice), "dashboard", "We are on it.")
    html = status_html(client, ticket)
    for private in ["Alice", "Bob", "agency.example", "7700", "900123", "Bob knows"]:
        assert private not in html, private


def test_api_ack_audits_user(client, django_user_model, ticket):
    from oohdesk.api.models import ApiToken

    lead = django_user_model.objects.create_user("lead", password="correct horse battery", is_staff=True)
    _token, secret = ApiToken.issue(lead, "lead")
    response = client.post(f"/api/v1/pages/{ticket.page.id}/ack", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(ticket=ticket, action="acknowledged")
    assert (entry.actor_user, entry.actor_name, entry.channel) == (lead, "lead", "api")


def test_dashboard_ack_audits_user(client, admin_user, ticket):
    client.force_login(admin_user)
    client.post(reverse("page-ack", args=[ticket.page.id]))
    entry = AuditEntry.objects.get(ticket=ticket, action="acknowledged")
    assert (entry.actor_user, entry.actor_name, entry.channel) == (admin_user, "admin", "dashboard")


def test_resolved_after_defer_shows_no_hold(client, alice_user, alice, ticket):
    from oohdesk.tickets import actions
    from oohdesk.tickets.audit import Actor

    actor = Actor(member=alice, user=alice_user, name=alice.name)
    actions.defer(ticket, NIGHT + timedelta(minutes=5), actor, "dashboard", "Only the footer is wrong.")
    actions.resolve(ticket, NIGHT + timedelta(minutes=10), actor, "dashboard", "Fixed the footer.")
    client.force_login(alice_user)
    html = client.get(ticket_url(ticket)).content.decode()
    assert "Resolved" in html
    assert ", until" not in html
