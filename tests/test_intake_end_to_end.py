"""Helpdesk webhooks through a real `oohdesk serve`: signed samples in, pages and replies out.

The web server and engine run as a real process on a fresh SQLite file (or a
fresh PostgreSQL database when the suite runs on PostgreSQL), with a fake
Intercom API and a fake SMTP server on 127.0.0.1.
"""

import json
import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from fake_intercom import FakeIntercom
from fake_smtp import FakeSmtp
from processes import Desk, free_port, fresh_database
from oohdesk.zones import format_local
from webhooks import (
    INTERCOM_SECRET,
    ZENDESK_FIELDS,
    ZENDESK_SECRET,
    fixture,
    intercom_conversation,
    intercom_headers,
    intercom_ticket,
    raw,
    zendesk_body,
    zendesk_headers,
)

pytestmark = pytest.mark.slow

CONFIG = """
calendars:
  - slug: closed
    name: Open one minute a week
    time_zone: Europe/London
    opening_hours: {sunday: ["04:00-04:01"]}
escalation_policies:
  - slug: standard
    name: Standard
    ack_timeout: {P1: 5m, P2: 15m}
    repeat: 0
    steps: [on_call, next_in_rota, team_lead]
members:
  - name: Alice Ahmed
    email: alice@agency.example
    contact_methods: [{kind: demo_phone}]
  - name: Ben Carter
    email: ben@agency.example
    contact_methods: [{kind: demo_phone}]
teams:
  - slug: web
    name: Web team
    calendar: closed
    escalation_policy: standard
    lead: ben@agency.example
    rota:
      time_zone: Europe/London
      handover: {weekday: monday, time: "09:00"}
      start_date: 2026-01-05
      members: [alice@agency.example, ben@agency.example]
"""
REFERENCE = re.compile(r"OOH-[A-Z0-9]{6}")


@pytest.fixture
def smtp():
    with FakeSmtp(free_port()) as server:
        yield server


@pytest.fixture
def intercom():
    with FakeIntercom() as server:
        contact = fixture("intercom_contact.json")
        server.contacts[contact["id"]] = contact
        yield server


@pytest.fixture
def desk(tmp_path, smtp, intercom):
    settings = {
        "OOHDESK_EMAIL_HOST": "127.0.0.1",
        "OOHDESK_EMAIL_PORT": str(smtp.port),
        "OOHDESK_INTERCOM_CLIENT_SECRET": INTERCOM_SECRET,
        "OOHDESK_INTERCOM_API_BASE_URL": intercom.base_url,
        "OOHDESK_INTERCOM_ACCESS_TOKEN": intercom.token,
        "OOHDESK_INTERCOM_ADMIN_ID": "814860",
        "OOHDESK_ZENDESK_SIGNING_SECRET": ZENDESK_SECRET,
        "OOHDESK_ZENDESK_SITE_DOWN_FIELD": ZENDESK_FIELDS["site_down"],
        "OOHDESK_ZENDESK_AFFECTS_HALF_FIELD": ZENDESK_FIELDS["affects_half"],
        "OOHDESK_ZENDESK_SITE_FIELD": ZENDESK_FIELDS["site"],
    }
    with fresh_database() as database_url:
        installation = Desk(tmp_path, database_url, settings)
        config_file = tmp_path / "desk.yaml"
        config_file.write_text(CONFIG)
        applied = installation.run("config", "apply", str(config_file))
        assert applied.returncode == 0, applied.stderr
        try:
            installation.start_web()
            yield installation
        finally:
            installation.stop_all()


def shell(desk: Desk, code: str) -> str:
    result = desk.run("shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def ticket_count(desk: Desk) -> int:
    return int(shell(desk, "from oohdesk.tickets.models import Ticket; print(Ticket.objects.count())"))


def phone_shows(desk: Desk, member_name: str, reference: str, timeout: float) -> bool:
    code = (
        "from oohdesk.paging.models import DemoPhoneMessage; "
        f"print(DemoPhoneMessage.objects.filter(member__name='{member_name}', title__contains='{reference}').exists())"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if shell(desk, code) == "True":
            return True
        time.sleep(0.2)
    return False


def next_opening(desk: Desk) -> str:
    hours = json.loads(desk.run("hours", "--json").stdout)
    return format_local(datetime.fromisoformat(hours["next_opening"]), ZoneInfo("Europe/London"))


def on_call(desk: Desk) -> str:
    return json.loads(desk.run("oncall", "--json").stdout)["on_call"]["name"]


def post_intercom(desk: Desk, payload: dict) -> httpx.Response:
    body = raw(payload)
    headers = {"Content-Type": "application/json", **intercom_headers(body)}
    return httpx.post(f"{desk.base_url}/intake/intercom", content=body, headers=headers, timeout=10)


def test_intercom_reports_page_and_reply(desk, intercom):
    hours = json.loads(desk.run("hours", "--json").stdout)
    if hours["in_hours"]:
        pytest.skip("ran inside the calendar's one open minute of the week")
    urgent = post_intercom(desk, intercom_ticket())
    assert urgent.status_code == 200
    normal = post_intercom(desk, intercom_conversation(**{"Site down": "No", "Affects half of users": "No"}))
    assert normal.status_code == 200
    assert post_intercom(desk, intercom_ticket()).json()["status"] == "already received"

    replies = intercom.wait_for_replies(4, timeout=20)
    comments = {request.path: request.body["body"] for request in replies if request.body["message_type"] == "comment"}
    urgent_reference = REFERENCE.search(comments["/tickets/7301/reply"]).group(0)
    assert "on-call developer has been alerted" in comments["/tickets/7301/reply"]
    assert phone_shows(desk, on_call(desk), urgent_reference, timeout=10)

    held = comments["/conversations/215468203/reply"]
    assert REFERENCE.search(held)
    assert f"we will pick it up at {next_opening(desk)}" in held
    assert {request.headers["Intercom-Version"] for request in replies} == {"2.11"}
    assert ticket_count(desk) == 2


def test_zendesk_signature_checked(desk, smtp):
    body = raw(zendesk_body(site_down="yes", affects_half="yes"))
    url = f"{desk.base_url}/intake/zendesk"
    forged = httpx.post(url, content=body, headers={"Content-Type": "application/json", **zendesk_headers(body, secret="guessed")}, timeout=10)
    assert forged.status_code == 401
    unsigned = httpx.post(url, content=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert unsigned.status_code == 401
    assert ticket_count(desk) == 0

    signed = httpx.post(url, content=body, headers={"Content-Type": "application/json", **zendesk_headers(body)}, timeout=10)
    assert signed.status_code == 200
    emails = [message for message in smtp.wait_for(1, timeout=20) if "grace.okafor" in message["To"]]
    [confirmation] = emails
    reference = REFERENCE.search(confirmation["Subject"]).group(0)
    content_types = {part.get_content_type() for part in confirmation.walk()}
    assert {"text/plain", "text/html"} <= content_types
    assert phone_shows(desk, on_call(desk), reference, timeout=10)
    assert ticket_count(desk) == 1
