"""Notices never use the urgent settings that pages use, on any channel."""

from django.core import mail

from conftest import utc
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import DemoPhoneMessage
from oohdesk.paging.notices import queue_notice
from reports import report

NOON = utc(2026, 12, 9, 12, 0)


def test_email_notice_not_high_priority(db, team, alice, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alice.contact_methods.all().delete()
    alice.contact_methods.create(kind="email", address="alice@agency.example")
    queue_notice(alice, "Weekly summary", "Two pages.", NOON)
    run_once(NOON)
    [message] = [message for message in mail.outbox if message.to == ["alice@agency.example"]]
    assert "X-Priority" not in message.extra_headers
    assert "Importance" not in message.extra_headers


def test_email_page_high_priority(db, team, alice, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alice.contact_methods.all().delete()
    alice.contact_methods.create(kind="email", address="alice@agency.example")
    report(team, utc(2026, 12, 9, 23, 0))
    run_once(utc(2026, 12, 9, 23, 0))
    [message] = [message for message in mail.outbox if message.to == ["alice@agency.example"]]
    assert message.extra_headers["X-Priority"] == "1 (Highest)"


def test_demo_phone_notice_not_urgent(db, team, alice):
    queue_notice(alice, "Weekly summary", "Two pages.", NOON)
    run_once(NOON)
    assert DemoPhoneMessage.objects.get(member=alice).urgent is False
