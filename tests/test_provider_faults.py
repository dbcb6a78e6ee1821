"""Provider faults through real processes: a provider that responds with 503, times out or hangs never delays escalation.

Each test runs real `oohdesk serve` and `oohdesk engine` processes against a
fresh SQLite file, or a fresh PostgreSQL database when the suite runs on
PostgreSQL, with fake Pushover, Twilio and ntfy servers on 127.0.0.1. Alice,
on call for the web team, can be reached only through the failing provider.
Ben, the web team's lead and its second step, and Dora, on call for the ops
team, are reached through ntfy, which keeps working.

The fakes stamp each request with time.time() on arrival, and the product
stores its own times in the database, so both read the same clock.
"""

import json
import time

import httpx
import pytest

from fakes.ntfy import FakeNtfy
from fakes.pushover import FakePushover, user_key
from fakes.server import Recorded, Reply
from fakes.twilio import FakeTwilio
from processes import Desk, fresh_database
from test_channels_end_to_end import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.faults]

# Seconds each escalation step waits for an acknowledgement.
ACK_TIMEOUT = 3
# Seconds a provider request may take before its outcome is unknown.
PROVIDER_TIMEOUT = 1
# How late, in seconds, a notification may reach its provider after it is due.
# The engine looks for due work every 0.1 s, so this leaves room for a busy machine.
LATENESS = 1.0
# A read timeout starts once the request is written, a moment before the fake stamps its arrival.
TIMER_SLACK = 0.05

ALICE_PHONE = "+447700900123"
BEN_TOPIC = "ben-pages-7q3x"
DORA_TOPIC = "dora-pages-4k2j"
PUSHOVER_UNAVAILABLE = Reply(503, {"status": 0, "errors": ["service unavailable"], "request": "r"})

CONFIG = """
calendars:
  - slug: closed
    name: Never open
    opening_hours: {}
escalation_policies:
  - slug: quick
    name: Quick
    ack_timeout: {P1: %(timeout)ss, P2: %(timeout)ss}
    repeat: 0
    steps: [on_call, team_lead]
members:
  - name: Alice Ahmed
    email: alice@agency.example
    contact_methods: [%(alice_method)s]
  - name: Ben Carter
    email: ben@agency.example
    contact_methods: [{kind: ntfy, address: %(ben_topic)s}]
  - name: Dora Evans
    email: dora@agency.example
    contact_methods: [{kind: ntfy, address: %(dora_topic)s}]
teams:
  - slug: web
    name: Web team
    calendar: closed
    escalation_policy: quick
    lead: ben@agency.example
    rota:
      start_date: 2026-01-05
      members: [alice@agency.example]
  - slug: ops
    name: Ops team
    calendar: closed
    escalation_policy: quick
    rota:
      start_date: 2026-01-05
      members: [dora@agency.example]
"""

# Each provider's verification has its own end-to-end test, so here every method starts verified.
VERIFY_SCRIPT = (
    "from django.utils import timezone; from oohdesk.paging.models import ContactMethod; "
    "print(ContactMethod.objects.update(verified_at=timezone.now()))"
)

# Prints, as JSON, the pages of the tickets in REFS, with their timelines and notification attempts.
PAGES_SCRIPT = """
import json
from oohdesk.paging.models import Page
pages = {}
for page in Page.objects.filter(ticket__ref__in=REFS).select_related("ticket"):
    pages[page.ticket.ref] = {
        "created_at": page.created_at.timestamp(),
        "step_index": page.step_index,
        "step_due_at": page.step_due_at.timestamp() if page.step_due_at else None,
        "events": [{"at": e.at.timestamp(), "kind": e.kind, "message": e.message} for e in page.events.all()],
        "attempts": [
            {"member": a.member.email, "channel": a.channel, "status": a.status, "tries": a.tries, "error": a.error}
            for a in page.attempts.select_related("member").order_by("id")
        ],
    }
print(json.dumps(pages))
"""


@pytest.fixture
def providers():
    with FakePushover("a" * 30) as pushover, FakeTwilio("AC" + "0" * 32, "t" * 32) as twilio, FakeNtfy("tk_faults") as ntfy:
        yield pushover, twilio, ntfy


@pytest.fixture
def start_desk(tmp_path, providers):
    """Return a function that sets up a desk with Alice's one contact method, then starts its web server and engine."""
    pushover, twilio, ntfy = providers
    started: list[Desk] = []

    def start(alice_method: str, **env: str) -> Desk:
        environment = {
            "OOHDESK_PUSHOVER_API_URL": pushover.url, "OOHDESK_PUSHOVER_APP_TOKEN": pushover.app_token,
            "OOHDESK_TWILIO_API_URL": twilio.url, "OOHDESK_TWILIO_ACCOUNT_SID": twilio.account_sid,
            "OOHDESK_TWILIO_AUTH_TOKEN": twilio.auth_token, "OOHDESK_TWILIO_FROM_NUMBER": "+441234567890",
            "OOHDESK_NTFY_URL": ntfy.url, "OOHDESK_NTFY_TOKEN": ntfy.token,
            # The lease must exceed twice the send timeouts.
            "OOHDESK_PROVIDER_TIMEOUT_SECONDS": str(PROVIDER_TIMEOUT),
            "OOHDESK_EMAIL_TIMEOUT": "2",
            "OOHDESK_ENGINE_LEASE_SECONDS": "5",
            "OOHDESK_SEND_RETRY_SECONDS": "1",
            **env,
        }
        desk = Desk(tmp_path, database_url, environment)
        started.append(desk)
        config_file = tmp_path / "desk.yaml"
        config_file.write_text(CONFIG % {
            "timeout": ACK_TIMEOUT, "alice_method": alice_method, "ben_topic": BEN_TOPIC, "dora_topic": DORA_TOPIC,
        })
        applied = desk.run("config", "apply", str(config_file))
        assert applied.returncode == 0, applied.stderr
        verified = desk.run("shell", "--no-imports", "-c", VERIFY_SCRIPT)
        assert verified.stdout.strip() == "3", verified.stderr
        desk.start_web("--no-engine")
        desk.start("engine", name="engine")
        return desk

    with fresh_database() as database_url:
        try:
            yield start
        finally:
            # A send still hanging would hold up the engine's clean stop.
            for fake in providers:
                fake.release.set()
            for desk in started:
                desk.stop_all()


def pushover_method(pushover: FakePushover) -> str:
    """Register a new user key with the fake Pushover and return it as Alice's contact method in YAML."""
    key = user_key()
    pushover.users.add(key)
    return f"{{kind: pushover, address: {key}}}"


def post_report(desk: Desk, team: str, number: int = 0) -> str:
    """File an urgent report for ``team`` through the API and return its reference."""
    body = {
        "team": team,
        "reporter_name": "Dana Customer",
        "reporter_email": f"dana{number}@shop{number}.example",
        "reporter_phone": "020 7946 0000",
        # A site and organisation of its own, so no report is filed as a duplicate of another.
        "organisation": f"Shop {number} Ltd",
        "site": f"https://shop{number}.example",
        "summary": f"Checkout down at shop {number}",
        "description": "Every payment fails.",
        "site_down": True,
        "affects_half": True,
    }
    response = httpx.post(f"{desk.base_url}/api/v1/tickets", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["ref"]


def ntfy_pages(ntfy: FakeNtfy, topic: str, ref: str) -> list[Recorded]:
    """Return the requests that published a notification about ``ref`` to ``topic``."""
    found = []
    for request in list(ntfy.requests):
        message = request.json()
        if message.get("topic") == topic and ref in message.get("title", ""):
            found.append(request)
    return found


def sends(fake, path: str) -> list[Recorded]:
    return [request for request in list(fake.requests) if request.path == path]


def read_pages(desk: Desk, refs: list[str]) -> dict:
    result = desk.run("shell", "--no-imports", "-c", PAGES_SCRIPT.replace("REFS", json.dumps(refs)))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def event(page: dict, kind: str, text: str) -> dict:
    """Return the first timeline event of ``kind`` whose message contains ``text``."""
    matching = [entry for entry in page["events"] if entry["kind"] == kind and text in entry["message"]]
    assert matching, f"no {kind} event with {text!r} in the timeline: {page['events']}"
    return matching[0]


def test_503_retried_then_next_step(start_desk, providers):
    pushover, _twilio, ntfy = providers
    pushover.fail_with = PUSHOVER_UNAVAILABLE
    desk = start_desk(pushover_method(pushover), OOHDESK_SEND_MAX_TRIES="2")

    ref = post_report(desk, "web")
    [ben] = wait_for(lambda: ntfy_pages(ntfy, BEN_TOPIC, ref), "Ben's page")
    page = read_pages(desk, [ref])[ref]

    tries = sends(pushover, "/1/messages.json")
    assert len(tries) == 2
    # The retry waited OOHDESK_SEND_RETRY_SECONDS.
    assert tries[1].arrived_at - tries[0].arrived_at >= 0.9
    [attempt] = [entry for entry in page["attempts"] if entry["member"] == "alice@agency.example"]
    assert attempt["status"] == "failed"
    assert attempt["tries"] == 2
    assert "503" in attempt["error"]

    # Every notification of step 1 failed, so step 2 started at once, without waiting out the timeout.
    failed_at = tries[1].arrived_wall
    failure = event(page, "notify_failed", "failed: Pushover responded 503")
    step_failed = event(page, "step_failed", "Step 1: every notification failed")
    step_started = event(page, "step_started", "Step 2: paging Ben Carter")
    assert failure["at"] >= failed_at
    assert step_failed["at"] >= failed_at
    assert failed_at <= step_started["at"] <= ben.arrived_wall
    assert ben.arrived_wall <= failed_at + LATENESS, f"Ben's page went out {ben.arrived_wall - failed_at:.2f} s late"
    assert ben.arrived_wall < page["created_at"] + ACK_TIMEOUT
    # Ben has the whole acknowledgement timeout from the moment his step started.
    assert page["step_index"] == 1
    assert page["step_due_at"] == pytest.approx(step_started["at"] + ACK_TIMEOUT, abs=0.001)


def test_timeout_not_sent_again(start_desk, providers):
    _pushover, twilio, ntfy = providers
    twilio.hang = True
    desk = start_desk(f'{{kind: voice, address: "{ALICE_PHONE}"}}')

    ref = post_report(desk, "web")
    [ben] = wait_for(lambda: ntfy_pages(ntfy, BEN_TOPIC, ref), "Ben's page")
    # Twilio responds only after oohdesk gave up, and places the call, so the page did reach Alice.
    twilio.release.set()
    wait_for(lambda: twilio.calls, "the late call")
    [call] = sends(twilio, f"/2010-04-01/Accounts/{twilio.account_sid}/Calls.json")

    timed_out_at = call.arrived_wall + PROVIDER_TIMEOUT - TIMER_SLACK
    assert ben.arrived_wall >= timed_out_at
    assert ben.arrived_wall <= timed_out_at + LATENESS, f"Ben's page went out {ben.arrived_wall - timed_out_at:.2f} s late"

    # Wait past the retry delay and the lease (5 s), by when any resend would have gone out.
    time.sleep(max(0.0, call.arrived_at + 6 - time.monotonic()))
    assert len(sends(twilio, f"/2010-04-01/Accounts/{twilio.account_sid}/Calls.json")) == 1
    assert len(twilio.calls) == 1

    page = read_pages(desk, [ref])[ref]
    [attempt] = [entry for entry in page["attempts"] if entry["member"] == "alice@agency.example"]
    assert attempt["status"] == "unknown"
    assert attempt["tries"] == 1
    assert f"did not respond within {PROVIDER_TIMEOUT} s" in attempt["error"]
    failure = event(page, "notify_failed", "outcome unknown, so it is not sent again on this channel")
    step_started = event(page, "step_started", "Step 2: paging Ben Carter")
    # The timeline records the failure when the timeout ran out, not when the call was requested.
    assert failure["at"] >= timed_out_at
    assert timed_out_at <= step_started["at"] <= ben.arrived_wall
    # Ben's step waited its whole timeout, then the admins were alerted.
    alerted = event(page, "admins_alerted", "Escalation ran out")
    assert alerted["at"] >= step_started["at"] + ACK_TIMEOUT


def test_hang_delays_nobody(start_desk, providers):
    pushover, _twilio, ntfy = providers
    pushover.hang = True
    hang_timeout = 6
    desk = start_desk(
        pushover_method(pushover),
        # Sends wait longer than a step, so the hang still occupies a worker when the step times out.
        OOHDESK_PROVIDER_TIMEOUT_SECONDS=str(hang_timeout),
        OOHDESK_ENGINE_LEASE_SECONDS="15",
        # Two workers and at most one per channel, so the hang takes the only worker Pushover may use.
        OOHDESK_ENGINE_WORKERS="2",
        OOHDESK_ENGINE_CHANNEL_WORKERS="1",
    )

    first = post_report(desk, "web", 1)
    assert pushover.received.wait(10), "Alice's Pushover page never went out"
    second = post_report(desk, "web", 2)
    ops = post_report(desk, "ops", 3)

    [dora] = wait_for(lambda: ntfy_pages(ntfy, DORA_TOPIC, ops), "Dora's page")
    assert pushover.hanging == 1, "Alice's Pushover send stopped hanging before Dora's page went out"
    bens = {ref: wait_for(lambda: ntfy_pages(ntfy, BEN_TOPIC, ref), f"Ben's page for {ref}")[0] for ref in (first, second)}
    # Both web pages reached Ben while Alice's first Pushover send still hung and her second waited for a worker.
    assert pushover.hanging == 1, "Alice's Pushover send stopped hanging before Ben's pages went out"
    pushover_sends = sends(pushover, "/1/messages.json")
    assert len(pushover_sends) == 1, "a second Pushover send started while the first hung"
    hung = pushover_sends[0]

    time.sleep(max(0.0, hung.arrived_at + hang_timeout + 0.5 - time.monotonic()))
    pages = read_pages(desk, [first, second, ops])

    dora_delay = dora.arrived_wall - pages[ops]["created_at"]
    assert dora_delay <= LATENESS, f"Dora's page went out {dora_delay:.2f} s after her report"
    for ref, ben in bens.items():
        due = pages[ref]["created_at"] + ACK_TIMEOUT
        assert ben.arrived_wall >= due, ref
        assert ben.arrived_wall <= due + LATENESS, f"Ben's page for {ref} went out {ben.arrived_wall - due:.2f} s late"
        timed_out = event(pages[ref], "escalated", "Step 1 timed out without an acknowledgement")
        assert due <= timed_out["at"] <= ben.arrived_wall, ref

    # Once the provider timeout ran out, the hung send was recorded as a failure with an unknown outcome.
    failure = event(pages[first], "notify_failed", "outcome unknown, so it is not sent again on this channel")
    assert failure["at"] >= hung.arrived_wall + hang_timeout - TIMER_SLACK
    [attempt] = [entry for entry in pages[first]["attempts"] if entry["member"] == "alice@agency.example"]
    assert attempt["status"] == "unknown"
