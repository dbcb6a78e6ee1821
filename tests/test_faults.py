"""Fault tests: engines killed mid-flight, PostgreSQL restarted, two engines at once, a stopped engine.

Each test runs real `oohdesk serve` and `oohdesk engine` processes against a
fresh SQLite file, or a fresh PostgreSQL database when the suite runs on
PostgreSQL, with the demo phone and email (to a fake SMTP server on
127.0.0.1) as channels. They take minutes, so they run only when asked:
``pytest -m faults`` (``.ci/run`` does).
"""

import json
import os
import random
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from fake_monitor import FakeMonitor
from fake_smtp import FakeSmtp
from processes import Desk, free_port, fresh_database

pytestmark = [pytest.mark.slow, pytest.mark.faults]

on_postgresql = pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="needs PostgreSQL (DATABASE_URL)")

CONFIG = """
calendars:
  - slug: office
    name: Office
    time_zone: Europe/London
    opening_hours: {monday: ["09:00-17:30"]}
escalation_policies:
  - slug: quick
    name: Quick
    ack_timeout: {P1: 2s, P2: 2s}
    repeat: 0
    steps: [on_call, next_in_rota, team_lead]
members:
  - name: Alice Ahmed
    email: alice@agency.example
    contact_methods: [{kind: demo_phone}, {kind: email}]
  - name: Ben Carter
    email: ben@agency.example
    contact_methods: [{kind: demo_phone}, {kind: email}]
  - name: Chloe Davies
    email: chloe@agency.example
    admin: true
    contact_methods: [{kind: demo_phone}, {kind: email}]
teams:
  - slug: web
    name: Web team
    calendar: office
    escalation_policy: quick
    lead: chloe@agency.example
    rota:
      time_zone: Europe/London
      handover: {weekday: monday, time: "09:00"}
      start_date: 2026-01-05
      members: [alice@agency.example, ben@agency.example]
"""

# Each page notifies three steps and then the admins, on two channels each.
ATTEMPTS_PER_PAGE = 8
WORKERS = 8

# Prints, as JSON, every notification attempt and each page's timeline, for the assertions below.
STATS_SCRIPT = """
import json
from oohdesk.paging.models import NotificationAttempt, Page
attempts = [
    {"id": a.id, "ref": a.page.ticket.ref, "to": a.member.email, "channel": a.channel, "purpose": a.purpose,
     "status": a.status, "step": a.step_index, "demo_shown": hasattr(a, "demo_phone_message")}
    for a in NotificationAttempt.objects.filter(page__isnull=False).select_related("page__ticket", "member")
]
pages = {
    p.ticket.ref: {"status": p.status, "admins_alerted": p.admins_alerted_at is not None,
                   "events": [e.kind + ":" + e.message[:6] for e in p.events.all()]}
    for p in Page.objects.select_related("ticket").prefetch_related("events")
}
print(json.dumps({"attempts": attempts, "pages": pages}))
"""


def report_body(number: int) -> dict:
    return {
        "reporter_name": "Dana Customer",
        "reporter_email": "dana@shop.example",
        "reporter_phone": "020 7946 0000",
        # A site and organisation of its own, so no report is filed as a duplicate of another.
        "organisation": f"Shop {number} Ltd",
        "site": f"https://shop{number}.example",
        "summary": f"Fault run report {number}",
        "description": "Checkout fails.",
        "site_down": True,
        "affects_half": True,
    }


@pytest.fixture
def smtp():
    with FakeSmtp(free_port()) as server:
        yield server


def make_desk(tmp_path: Path, database_url: str | None, smtp: FakeSmtp, **env) -> Desk:
    desk = Desk(
        tmp_path,
        database_url,
        {
            "OOHDESK_EMAIL_HOST": "127.0.0.1",
            "OOHDESK_EMAIL_PORT": str(smtp.port),
            # A short lease, so a send cut off by a kill is retried within seconds; the
            # lease must exceed twice the send timeouts, so those are short too.
            "OOHDESK_ENGINE_LEASE_SECONDS": "5",
            "OOHDESK_PROVIDER_TIMEOUT_SECONDS": "2",
            "OOHDESK_EMAIL_TIMEOUT": "2",
            "OOHDESK_SEND_RETRY_SECONDS": "1",
            "OOHDESK_ENGINE_WORKERS": str(WORKERS),
            "OOHDESK_REPORTS_PER_IP": "0",
            "OOHDESK_REPORTS_PER_ORGANISATION": "0",
            # The reporters are not known customer contacts; every one of their reports must page.
            "OOHDESK_UNVERIFIED_PAGES_PER_ADDRESS": "100000",
            "OOHDESK_UNVERIFIED_PAGES_PER_ORGANISATION": "100000",
            **env,
        },
    )
    config_file = tmp_path / "desk.yaml"
    config_file.write_text(CONFIG)
    applied = desk.run("config", "apply", str(config_file))
    assert applied.returncode == 0, applied.stderr
    return desk


@pytest.fixture
def desk(tmp_path, smtp):
    with fresh_database() as database_url:
        installation = make_desk(tmp_path, database_url, smtp)
        try:
            yield installation
        finally:
            installation.stop_all()


def post_reports(desk: Desk, count: int, deadline: float) -> list[str]:
    """Send ``count`` urgent reports through the API, four at a time, retrying each with its key until stored."""

    def post(number: int) -> str:
        key = str(uuid.uuid4())
        with httpx.Client(base_url=desk.base_url, timeout=10) as client:
            while time.monotonic() < deadline:
                try:
                    response = client.post("/api/v1/tickets", json=report_body(number), headers={"Idempotency-Key": key})
                except httpx.TransportError:
                    response = None
                if response is not None and response.status_code in (200, 201):
                    return response.json()["ref"]
                time.sleep(0.5)
        raise AssertionError(f"report {number} was never stored")

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(post, range(count)))


def scrape(desk: Desk) -> dict:
    text = httpx.get(f"{desk.base_url}/metrics", timeout=10).text
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def wait_until_settled(desk: Desk, pages: int, timeout: float) -> None:
    """Wait until every page has alerted the admins and no notification is left to send."""
    deadline = time.monotonic() + timeout
    alerts = pages * 2
    while time.monotonic() < deadline:
        try:
            samples = scrape(desk)
        except httpx.TransportError:
            samples = {}
        # Notices (such as rota handovers) wait for working hours, so only pages and admin alerts count.
        unsent = sum(
            value for name, value in samples.items()
            if ('status="pending"' in name or 'status="sending"' in name) and 'purpose="notice"' not in name
        )
        admin_sent = sum(
            value for name, value in samples.items()
            if name.startswith("oohdesk_notification_attempts") and 'purpose="admin_alert"' in name and 'status="sent"' in name
        )
        if samples and unsent == 0 and admin_sent >= alerts:
            return
        time.sleep(0.5)
    raise AssertionError(f"the run did not settle in {timeout} s; last metrics: {samples}")


def stats(desk: Desk) -> dict:
    result = desk.run("shell", "--no-imports", "-c", STATS_SCRIPT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def check_every_page_escalated(summary: dict, refs: list[str]) -> None:
    """Every page walked all three steps and alerted the admins, and every notification was sent."""
    assert sorted(summary["pages"]) == sorted(refs)
    for ref, page in summary["pages"].items():
        started = [event for event in page["events"] if event.startswith("step_started")]
        assert started == ["step_started:Step 1", "step_started:Step 2", "step_started:Step 3"], (ref, page["events"])
        assert page["admins_alerted"], ref
        assert not any(event.startswith("step_failed") for event in page["events"]), ref
    statuses = Counter(attempt["status"] for attempt in summary["attempts"])
    assert statuses == {"sent": len(refs) * ATTEMPTS_PER_PAGE}, statuses
    assert all(attempt["demo_shown"] for attempt in summary["attempts"] if attempt["channel"] == "demo_phone")


def email_duplicates(summary: dict, smtp: FakeSmtp) -> int:
    """Check every email attempt arrived at least once; return how many arrived more than once."""
    arrived = Counter()
    for message in smtp.handler.messages:
        if not message["To"].endswith("@agency.example"):
            continue  # the confirmation each reporter gets
        subject = message["Subject"]
        ref = subject.split("] ", 1)[1].split(":", 1)[0]
        arrived[(ref, message["To"], subject.startswith("Unacknowledged"))] += 1
    expected = {
        (attempt["ref"], attempt["to"], attempt["purpose"] == "admin_alert")
        for attempt in summary["attempts"]
        if attempt["channel"] == "email"
    }
    missing = expected - set(arrived)
    assert not missing, f"{len(missing)} emails never arrived, such as {sorted(missing)[:3]}"
    assert set(arrived) == expected
    return sum(count - 1 for count in arrived.values())


def test_engine_killed_repeatedly(desk, smtp):
    """SIGKILL the engine at seeded random moments while 200 pages are in flight, restarting it each time."""
    seed = int(os.environ.get("OOHDESK_FAULT_SEED", "20260106"))
    kills = 6
    rng = random.Random(seed)
    desk.start_web("--no-engine")
    engine = desk.start("engine", name="engine-0")
    refs: list[str] = []
    sender = threading.Thread(target=lambda: refs.extend(post_reports(desk, 200, time.monotonic() + 120)))
    sender.start()

    for number in range(1, kills + 1):
        time.sleep(rng.uniform(0.2, 1.5))
        engine.send_signal(signal.SIGKILL)
        engine.wait(timeout=10)
        engine = desk.start("engine", name=f"engine-{number}")
    sender.join(timeout=150)
    assert len(refs) == 200

    wait_until_settled(desk, pages=200, timeout=150)
    time.sleep(1)  # room for a late duplicate to arrive, so it is counted
    summary = stats(desk)
    check_every_page_escalated(summary, refs)
    duplicates = email_duplicates(summary, smtp)
    print(f"seed={seed} kills={kills} sends={len(summary['attempts'])} duplicate_emails={duplicates}")
    # A kill can duplicate at most the sends in flight at that moment.
    assert duplicates <= kills * WORKERS


@on_postgresql
def test_two_engines_send_once(desk, smtp):
    desk.start_web("--no-engine")
    desk.start("engine", name="engine-a")
    desk.start("engine", name="engine-b")
    refs = post_reports(desk, 100, time.monotonic() + 120)

    wait_until_settled(desk, pages=100, timeout=120)
    time.sleep(1)
    summary = stats(desk)
    check_every_page_escalated(summary, refs)
    assert email_duplicates(summary, smtp) == 0
    for name in ("engine-a", "engine-b"):
        assert "attempt sent" in desk.log(name), f"{name} sent nothing, so the test proves nothing"
    assert "lease expired" not in desk.log("engine-a") + desk.log("engine-b")


def wait_for_live_engine(desk: Desk, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while httpx.get(f"{desk.base_url}/healthz", timeout=10).status_code != 200:
        assert time.monotonic() < deadline, desk.log("engine")[-3000:]
        time.sleep(0.2)


def restart_postgresql() -> None:
    """Restart the local server; others may be using it, so a failed restart is retried once, then started."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]
    for action in (["restart", "--mode", "fast"], ["restart", "--mode", "fast"], ["start"]):
        if subprocess.run([*command, *action], timeout=120, capture_output=True).returncode == 0:
            break
        time.sleep(2)
    deadline = time.monotonic() + 60
    while subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode != 0:
        assert time.monotonic() < deadline, "PostgreSQL did not come back"
        time.sleep(0.5)


@on_postgresql
def test_postgresql_restart_loses_nothing(desk, smtp):
    """Restart the shared PostgreSQL server mid-run; the same web and engine processes carry on."""
    web = desk.start_web("--no-engine")
    engine = desk.start("engine", name="engine")
    wait_for_live_engine(desk)  # restarting before the engine's first loop would test its start-up instead
    refs: list[str] = []
    sender = threading.Thread(target=lambda: refs.extend(post_reports(desk, 60, time.monotonic() + 180)))
    sender.start()
    time.sleep(2)
    restart_postgresql()
    sender.join(timeout=200)
    assert len(refs) == 60

    wait_until_settled(desk, pages=60, timeout=150)
    summary = stats(desk)
    check_every_page_escalated(summary, refs)
    email_duplicates(summary, smtp)
    assert web.poll() is None and engine.poll() is None, "a process died instead of reconnecting"
    assert "engine loop working again" in desk.log("engine")
    health = httpx.get(f"{desk.base_url}/healthz", timeout=10)
    assert health.status_code == 200, health.text


def test_stopped_engine_noticed(tmp_path, smtp):
    with FakeMonitor() as monitor, fresh_database() as database_url:
        desk = make_desk(
            tmp_path,
            database_url,
            smtp,
            OOHDESK_ENGINE_HEARTBEAT_SECONDS="1",
            OOHDESK_HEALTH_ENGINE_MAX_AGE="3",
            OOHDESK_DEADMAN_URL=monitor.url,
        )
        try:
            desk.start_web("--no-engine")
            engine = desk.start("engine", name="engine")
            assert monitor.wait_for(3, timeout=30) >= 3, desk.log("engine")
            healthy = httpx.get(f"{desk.base_url}/healthz", timeout=10)
            assert healthy.status_code == 200, healthy.text

            engine.send_signal(signal.SIGKILL)
            engine.wait(timeout=10)
            pings_at_stop = len(monitor.requests)
            deadline = time.monotonic() + 60
            while (health := httpx.get(f"{desk.base_url}/healthz", timeout=10)).status_code == 200:
                assert time.monotonic() < deadline, "/healthz did not notice the stopped engine within a minute"
                time.sleep(0.5)
            assert health.status_code == 503
            assert health.json()["database"]["ok"] is True
            assert health.json()["engine"]["ok"] is False
            time.sleep(2)  # two more heartbeat intervals
            assert len(monitor.requests) == pings_at_stop
        finally:
            desk.stop_all()
