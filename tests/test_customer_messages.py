"""Customer emails: a confirmation and updates, in HTML and plain text, through an outbox that survives a crash."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail

from conftest import utc
from oohdesk.intake.models import CustomerMessage
from oohdesk.intake.outbox import queue_missed_updates
from oohdesk.paging.engine import run_once
from oohdesk.paging.escalation import acknowledge
from oohdesk.paging.models import Page
from oohdesk.tickets.models import Ticket
from oohdesk.tickets.signals import ticket_changed
from reports import report

# Saturday 10 January 2026 03:00 UK time: out of hours, Alice's first week on call.
NIGHT = utc(2026, 1, 10, 3, 0)
NEXT_OPENING = "09:00 on Monday 12 January 2026 (UK time)"


def later(minutes: int):
    return NIGHT + timedelta(minutes=minutes)


def html_of(email) -> str:
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    return html


@pytest.fixture
def staff_details(alice, bob, charlie):
    """Personal contact details of the staff, which no customer message may contain."""
    alice.contact_methods.create(kind="email", address="alice.ahmed@home-mail.example", position=1)
    bob.contact_methods.create(kind="sms", address="+44 7700 900123", position=1)
    return ["alice.ahmed@home-mail.example", "+44 7700 900123", "7700 900123", alice.email, bob.email, charlie.email, "Alice", "Bob"]


@pytest.mark.django_db
def test_confirmation_html_and_text(team, mailoutbox):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    [email] = mailoutbox
    assert email.to == ["dana@client.example"]
    assert email.subject == f"We have received your report {ticket.ref}"
    for part in (email.body, html_of(email)):
        assert ticket.ref in part
        assert "on-call developer has been alerted" in part
        assert "/status/" in part
        assert "Hello Dana" in part
    assert "<a href=" in html_of(email)


@pytest.mark.django_db
def test_confirmation_names_next_opening(team, mailoutbox):
    report(team, NIGHT, site_down="no", affects_half="no")
    run_once(NIGHT)
    [email] = mailoutbox
    assert NEXT_OPENING in email.body
    assert NEXT_OPENING in html_of(email)


@pytest.mark.django_db
def test_confirmation_escapes_html(team, mailoutbox):
    report(team, NIGHT, summary="<script>alert(1)</script> checkout")
    run_once(NIGHT)
    [email] = mailoutbox
    assert "<script>" not in html_of(email)
    assert "&lt;script&gt;" in html_of(email)
    assert "<script>alert(1)</script>" in email.body


@pytest.mark.django_db
def test_outbox_row_commits_with_ticket(team, mailoutbox):
    ticket = report(team, NIGHT)
    # No engine has run: as after a crash, the message waits in the outbox.
    message = CustomerMessage.objects.get(ticket=ticket)
    assert message.status == CustomerMessage.Status.PENDING
    assert mailoutbox == []
    run_once(later(1))
    message.refresh_from_db()
    assert message.status == CustomerMessage.Status.SENT
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_emails_can_be_off(team, settings, mailoutbox):
    settings.OOHDESK_CUSTOMER_EMAILS = False
    report(team, NIGHT)
    run_once(NIGHT)
    assert CustomerMessage.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_updates_ack_defer_resolve(team, alice, staff_details, mailoutbox, django_capture_on_commit_callbacks):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    with django_capture_on_commit_callbacks(execute=True):
        acknowledge(ticket.page.id, later(1), alice, via="test")
    assert CustomerMessage.objects.filter(kind=CustomerMessage.Kind.ACKNOWLEDGED).exists()
    run_once(later(1))
    ticket_changed.send(sender=Ticket, ticket=ticket, change="deferred", at=later(20))
    run_once(later(20))
    ticket_changed.send(sender=Ticket, ticket=ticket, change="resolved", at=later(30))
    run_once(later(30))

    to_customer = [email for email in mailoutbox if email.to == ["dana@client.example"]]
    confirmation, acknowledged, deferred, resolved = to_customer
    assert acknowledged.subject == f"Your report {ticket.ref} has been acknowledged"
    assert "acknowledged your report" in acknowledged.body
    assert deferred.subject == f"Your report {ticket.ref} will be picked up at {NEXT_OPENING}"
    assert f"We will pick it up at {NEXT_OPENING}" in html_of(deferred)
    assert resolved.subject == f"Your report {ticket.ref} has been resolved"
    for email in to_customer:
        for detail in staff_details:
            assert detail not in email.body
            assert detail not in html_of(email)
            assert detail not in email.subject


@pytest.mark.django_db
def test_update_sent_once(team, alice, mailoutbox):
    ticket = report(team, NIGHT)
    for _ in range(2):
        ticket_changed.send(sender=Ticket, ticket=ticket, change="resolved", at=later(5))
    run_once(later(5))
    assert [email.subject for email in mailoutbox].count(f"Your report {ticket.ref} has been resolved") == 1


@pytest.mark.django_db
def test_other_changes_send_nothing(team, mailoutbox):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    ticket_changed.send(sender=Ticket, ticket=ticket, change="priority_raised", at=later(1))
    run_once(later(1))
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_duplicate_reporter_hears_too(team, alice, mailoutbox, django_capture_on_commit_callbacks):
    first = report(team, NIGHT)
    second = report(team, later(2), reporter_email="sam@client.example", reporter_name="Sam Lee")
    with django_capture_on_commit_callbacks(execute=True):
        acknowledge(first.page.id, later(3), alice, via="test")
    run_once(later(3))
    [to_sam] = [email for email in mailoutbox if email.to == ["sam@client.example"] and "acknowledged" in email.subject]
    assert f"Your report {second.ref} was linked to report {first.ref}" in to_sam.body
    confirmation = next(email for email in mailoutbox if email.to == ["sam@client.example"] and "received" in email.subject)
    assert first.ref in confirmation.body


@pytest.mark.django_db
def test_sweep_queues_missed_update(team, alice, mailoutbox):
    ticket = report(team, NIGHT)
    # The acknowledgement committed, but the process died before its signal ran.
    Page.objects.filter(ticket=ticket).update(status=Page.Status.ACKNOWLEDGED, acknowledged_at=later(1))
    assert queue_missed_updates(later(2)) == 1
    assert queue_missed_updates(later(2)) == 0
    run_once(later(2))
    assert any("acknowledged" in email.subject for email in mailoutbox)


@pytest.mark.django_db
def test_smtp_failure_retried(team, monkeypatch, mailoutbox):
    report(team, NIGHT)
    calls = []

    def failing_send(self, fail_silently=False):
        calls.append(self.to)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    with monkeypatch.context() as patched:
        patched.setattr(mail.EmailMultiAlternatives, "send", failing_send)
        run_once(NIGHT)
    message = CustomerMessage.objects.get()
    assert calls == [["dana@client.example"]]
    assert message.status == CustomerMessage.Status.PENDING
    assert "Connection unexpectedly closed" in message.error
    assert message.due_at == later(0) + timedelta(seconds=10)
    run_once(later(1))
    message.refresh_from_db()
    assert message.status == CustomerMessage.Status.SENT
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_refused_address_fails(team, monkeypatch):
    report(team, NIGHT)

    def refusing_send(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"dana@client.example": (550, b"No such user")})

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", refusing_send)
    run_once(NIGHT)
    message = CustomerMessage.objects.get()
    assert message.status == CustomerMessage.Status.FAILED
    assert "rejected the address" in message.error


@pytest.mark.django_db
def test_reply_emailed_to_customer(team, alice, mailoutbox, django_capture_on_commit_callbacks):
    from oohdesk.tickets import actions
    from oohdesk.tickets.audit import Actor

    ticket = report(team, NIGHT)
    run_once(NIGHT)
    actor = Actor(member=alice, name=alice.name)
    for minute, text in [(2, "We are restarting the payment service now."), (9, "Payments work again; please try.")]:
        with django_capture_on_commit_callbacks(execute=True):
            actions.reply(ticket, later(minute), actor, "dashboard", text)
        run_once(later(minute))
    replies = [email for email in mailoutbox if email.subject == f"A reply about your report {ticket.ref}"]
    assert len(replies) == 2
    assert "restarting the payment service" in replies[0].body
    assert "Payments work again" in html_of(replies[1])
