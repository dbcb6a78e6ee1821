"""A page through real oohdesk processes and fake providers on 127.0.0.1, from the report form to the provider's acknowledgement."""

import json
import re
import time

import httpx
import pytest

from fakes.ntfy import FakeNtfy
from fakes.pushover import FakePushover, user_key
from fakes.twilio import FakeTwilio
from processes import Desk, fresh_database
from test_end_to_end import submit_report

pytestmark = pytest.mark.slow

ALICE_PHONE = "+447700900123"


def config(pushover_key: str) -> str:
    return f"""
calendars:
  - slug: closed
    name: Never open
    opening_hours: {{}}
escalation_policies:
  - slug: quick
    name: Quick
    ack_timeout: {{P1: 30s, P2: 30s}}
    repeat: 0
    steps: [on_call, team_lead]
members:
  - name: Alice Ahmed
    email: alice@agency.example
    contact_methods:
      - {{kind: pushover, address: {pushover_key}}}
      - {{kind: voice, address: "{ALICE_PHONE}"}}
    notification_rules:
      P1: [{{kind: pushover}}, {{kind: voice}}]
      P2: [{{kind: pushover}}, {{kind: voice, delay: 5m}}]
  - name: Ben Carter
    email: ben@agency.example
    contact_methods:
      - {{kind: ntfy, address: ben-pages-e2e}}
teams:
  - slug: web
    name: Web team
    calendar: closed
    escalation_policy: quick
    lead: ben@agency.example
    rota:
      start_date: 2026-01-05
      members: [alice@agency.example]
"""


def wait_for(condition, what: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s")


@pytest.fixture
def providers():
    with FakePushover("a" * 30) as pushover, FakeTwilio("AC" + "0" * 32, "t" * 32) as twilio, FakeNtfy("tk_e2e") as ntfy:
        yield pushover, twilio, ntfy


@pytest.fixture
def desk(tmp_path, providers):
    pushover, twilio, ntfy = providers
    key = user_key()
    pushover.users.add(key)
    environment = {
        "OOHDESK_PUSHOVER_API_URL": pushover.url, "OOHDESK_PUSHOVER_APP_TOKEN": pushover.app_token,
        "OOHDESK_TWILIO_API_URL": twilio.url, "OOHDESK_TWILIO_ACCOUNT_SID": twilio.account_sid,
        "OOHDESK_TWILIO_AUTH_TOKEN": twilio.auth_token, "OOHDESK_TWILIO_FROM_NUMBER": "+441234567890",
        "OOHDESK_NTFY_URL": ntfy.url, "OOHDESK_NTFY_TOKEN": ntfy.token,
    }
    with fresh_database() as database_url:
        installation = Desk(tmp_path, database_url, environment)
        config_file = tmp_path / "desk.yaml"
        config_file.write_text(config(key))
        applied = installation.run("config", "apply", str(config_file))
        assert applied.returncode == 0, applied.stderr
        try:
            yield installation
        finally:
            installation.stop_all()


def verify(desk: Desk, member: str, kind: str, read_code) -> None:
    sent = desk.run("verify-contact", member, kind)
    assert sent.returncode == 0, sent.stderr
    checked = desk.run("verify-contact", member, kind, "--code", read_code())
    assert checked.returncode == 0, checked.stderr


def page_state(desk: Desk, reference: str) -> dict:
    script = (
        "import json; from oohdesk.paging.models import Page; "
        f"page = Page.objects.get(ticket__ref='{reference}'); "
        "print(json.dumps({'status': page.status, 'via': page.acknowledged_via, "
        "'events': [event.message for event in page.events.all()]}))"
    )
    return json.loads(desk.run("shell", "--no-imports", "-c", script).stdout)


def test_page_acknowledged_through_pushover(desk, providers):
    pushover, twilio, ntfy = providers
    verify(desk, "alice@agency.example", "pushover", lambda: re.search(r"\d{6}", pushover.messages[-1]["message"])[0])
    desk.start_web()

    # A phone call's verification code is read out by the TwiML the call fetches.
    def code_from_call() -> str:
        [sid] = twilio.calls
        spoken = re.search(r"code is ([\d, ]+)\.", twilio.answer(sid))[1]
        return spoken.replace(", ", "")

    verify(desk, "alice@agency.example", "voice", code_from_call)
    twilio.calls.clear()

    reference, _confirmation = submit_report(desk, "yes", "yes")
    page_message = wait_for(lambda: [m for m in pushover.messages if reference in m.get("title", "")], "the Pushover page")[0]
    assert page_message["priority"] == "2"
    [sid] = wait_for(lambda: list(twilio.calls), "the phone call")
    assert "Press 1 to acknowledge" in twilio.answer(sid)

    # Forged Twilio requests are rejected.
    forged = twilio.post_signed(twilio.calls[sid]["params"]["StatusCallback"], {"AccountSid": twilio.account_sid, "CallSid": sid, "CallStatus": "completed"}, auth_token="forged")
    assert forged.status_code == 403

    assert pushover.acknowledge(page_message["receipt"]).status_code == 200
    state = page_state(desk, reference)
    assert state["status"] == "acknowledged"
    assert state["via"] == "pushover"

    # The call still in progress is ended at Twilio; Pushover's own receipt needs no cancelling.
    wait_for(lambda: twilio.calls[sid]["status"] == "completed", "ending the call")
    assert not pushover.receipts[page_message["receipt"]]["cancelled"]
    assert ntfy.published == []
    assert any("withdrawn" in message for message in page_state(desk, reference)["events"])
    assert httpx.get(f"{desk.base_url}/report/", timeout=10).status_code == 200
