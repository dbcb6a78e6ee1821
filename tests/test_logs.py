"""Logs: what the formatters mask, the JSON format, and a whole flow that must log no personal data."""

import io
import json
import logging
import re

import pytest
from django.core import mail
from django.test import Client

from conftest import utc
from oohdesk import links
from oohdesk.api.models import ApiToken
from oohdesk.operations.logs import JsonFormatter, PlainFormatter, redact
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import ContactMethod, NotificationAttempt, Page
from oohdesk.tickets.models import Ticket

NOW = utc(2026, 1, 6, 10, 0)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

REPORTER = {
    "reporter_name": "Dana Customer",
    "reporter_email": "dana.customer@shop.example",
    "reporter_phone": "+44 20 7946 0321",
    "organisation": "Shop Ltd",
    "site": "https://shop.example",
    "summary": "Checkout fails with an error",
    "description": "Every payment fails. Call me on +44 20 7946 0321 or write to dana.customer@shop.example.",
    "site_down": "yes",
    "affects_half": "yes",
}


def record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("oohdesk.test", logging.INFO, __file__, 1, message, args, exc_info)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Not Found: /ack/eyJwYWdlIjoxfQ:1abc:def/", "Not Found: /ack/[token]/"),
        ("GET /status/IlJFRiI:1x:y/ 404", "GET /status/[token]/ 404"),
        ("/report/received/abc:def/", "/report/received/[token]/"),
        ("Authorization: Bearer ooh_secret-123", "Authorization: Bearer [token]"),
        ("token ooh_AbC-123_x leaked", "token ooh_[token] leaked"),
        ("refused bob@agency.example: 550", "refused [email]: 550"),
        ("call +44 20 7946 0321 now", "call [phone] now"),
        ("ticket=OOH-ABC234 page=12 at 2026-01-06 10:00:00", "ticket=OOH-ABC234 page=12 at 2026-01-06 10:00:00"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


def test_plain_formatter_masks():
    formatter = PlainFormatter("%(levelname)s %(message)s")
    assert formatter.format(record("sent to %s", "alice@agency.example")) == "INFO sent to [email]"


def test_json_formatter_fields():
    line = JsonFormatter().format(record("attempt sent ticket=%s page=%s attempt=%s", "OOH-ABC234", 12, 40))
    entry = json.loads(line)
    assert entry["message"] == "attempt sent ticket=OOH-ABC234 page=12 attempt=40"
    assert entry["ticket"] == "OOH-ABC234"
    assert entry["page"] == "12"
    assert entry["attempt"] == "40"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "oohdesk.test"


def test_json_formatter_traceback_masked():
    try:
        raise ValueError("bad address carol@agency.example")
    except ValueError:
        import sys

        entry = json.loads(JsonFormatter().format(record("failed", exc_info=sys.exc_info())))
    assert "ValueError: bad address [email]" in entry["exception"]


@pytest.fixture
def captured_logs():
    """Route the configured console handlers into a buffer, at DEBUG, for one test."""
    buffer = io.StringIO()
    handlers = {
        handler
        for name in ("oohdesk", "django")
        for handler in logging.getLogger(name).handlers
        if type(handler) is logging.StreamHandler
    }
    assert handlers, "LOGGING configures no handler"
    saved = [(handler, handler.stream, handler.level) for handler in handlers]
    oohdesk_logger = logging.getLogger("oohdesk")
    saved_level = oohdesk_logger.level
    oohdesk_logger.setLevel(logging.DEBUG)
    for handler in handlers:
        handler.setStream(buffer)
        handler.setLevel(logging.DEBUG)
    yield buffer
    for handler, stream, level in saved:
        handler.setStream(stream)
        handler.setLevel(level)
    oohdesk_logger.setLevel(saved_level)


def test_flow_logs_no_personal_data(captured_logs, team, alice, django_user_model, time_machine):
    time_machine.move_to(NOW, tick=False)
    ContactMethod.objects.create(member=alice, kind="email", address="alice.private@agency.example", position=1)
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    _token, api_secret = ApiToken.issue(staff, "logs test")
    browser = Client(enforce_csrf_checks=True)

    form = browser.get("/report/").content.decode()
    sent = browser.post("/report/", {**REPORTER, "csrfmiddlewaretoken": CSRF.search(form).group(1)})
    assert sent.status_code == 302
    ticket = Ticket.objects.get()
    status_path = links.status_path(ticket.ref)
    assert browser.get(sent["Location"]).status_code == 200
    assert browser.get(status_path).status_code == 200

    run_once(NOW)
    assert NotificationAttempt.objects.filter(status="sent").count() == 2
    [email] = [message for message in mail.outbox if "alice.private@agency.example" in message.to]
    ack_path = re.search(r"/ack/\S+/", email.body).group(0)
    ack_page = browser.get(ack_path).content.decode()
    acknowledged = browser.post(ack_path, {"csrfmiddlewaretoken": CSRF.search(ack_page).group(1)})
    assert acknowledged.status_code == 200
    assert Page.objects.get().status == Page.Status.ACKNOWLEDGED
    assert browser.get(ack_path[:-3] + "xx/").status_code == 404  # a tampered link, logged by django.request
    assert browser.get(status_path[:-3] + "xx/").status_code == 404  # a tampered status link
    api = Client()
    assert api.get(f"/api/v1/tickets/{ticket.ref}", HTTP_AUTHORIZATION=f"Bearer {api_secret}").status_code == 200
    assert api.get("/api/v1/tickets/OOH-NONE22", HTTP_AUTHORIZATION=f"Bearer {api_secret}").status_code == 404

    output = captured_logs.getvalue()
    assert f"ticket={ticket.ref}" in output
    assert "page acknowledged" in output
    assert "Not Found: /ack/[token]/" in output
    secrets = {
        "reporter email": REPORTER["reporter_email"],
        "reporter phone": REPORTER["reporter_phone"],
        "reporter phone digits": "7946 0321",
        "reporter name": REPORTER["reporter_name"],
        "member email": "alice.private@agency.example",
        "ack token": ack_path.split("/")[2],
        "status token": status_path.split("/")[2],
        "api token": api_secret,
        "session cookie": browser.cookies["sessionid"].value if "sessionid" in browser.cookies else "no-session",
        "csrf cookie": browser.cookies["csrftoken"].value,
    }
    for what, value in secrets.items():
        assert value not in output, f"the log contains the {what}"
