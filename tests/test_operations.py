"""/healthz, /metrics, the dead man's switch and the engine's heartbeat."""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django import db
from prometheus_client.parser import text_string_to_metric_families

from conftest import utc
from fake_monitor import FakeMonitor
from oohdesk.operations.deadman import DeadMansSwitch
from oohdesk.paging import engine as engine_module
from oohdesk.paging.engine import Engine, run_once
from oohdesk.paging.escalation import acknowledge
from oohdesk.paging.models import EngineHeartbeat, NotificationAttempt
from oohdesk.security.models import RejectedReport
from reports import report

NOW = utc(2026, 1, 6, 10, 0)


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


@pytest.fixture
def running_engine(transactional_db, settings):
    """Run a real Engine loop on a thread; yield a function that starts it and stop it afterwards."""
    settings.OOHDESK_ENGINE_HEARTBEAT_SECONDS = 0.1
    started = []

    def start() -> Engine:
        engine = Engine(workers=2, poll_seconds=0.02)
        thread = threading.Thread(target=engine.run, daemon=True)
        thread.start()
        started.append((engine, thread))
        return engine

    yield start
    for engine, thread in started:
        engine.stop()
        thread.join(timeout=10)


# /healthz


def test_healthz_never_run(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": True}
    assert response.json()["engine"]["ok"] is False
    assert "No paging engine has ever run" in response.json()["problem"]


def test_healthz_fresh_heartbeat(client, db):
    with time_machine.travel(NOW, tick=False):
        EngineHeartbeat.objects.create(name="host:1", seen_at=NOW - timedelta(seconds=5))
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["engine"]["live_engines"] == 1
    assert body["engine"]["last_heartbeat_seconds_ago"] == 5
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_stale_heartbeat(client, db, settings):
    settings.OOHDESK_HEALTH_ENGINE_MAX_AGE = 30
    with time_machine.travel(NOW, tick=False):
        EngineHeartbeat.objects.create(name="host:1", seen_at=NOW - timedelta(seconds=31))
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["problem"] == "No paging engine has reported for 31 seconds."


def test_healthz_only_get(client, db):
    assert client.post("/healthz").status_code == 405


def test_engine_beats_and_forgets(running_engine):
    engine = running_engine()
    wait_until(lambda: EngineHeartbeat.objects.filter(name=engine.name).exists())
    engine.stop()
    wait_until(lambda: not EngineHeartbeat.objects.filter(name=engine.name).exists())


def test_engine_survives_loop_errors(running_engine, monkeypatch, caplog):
    real = engine_module.escalate_due_pages
    failures = []

    def flaky(at):
        if len(failures) < 3:
            failures.append(at)
            raise db.InterfaceError("connection already closed")
        return real(at)

    monkeypatch.setattr(engine_module, "escalate_due_pages", flaky)
    engine = running_engine()
    wait_until(lambda: EngineHeartbeat.objects.filter(name=engine.name).exists())
    assert len(failures) == 3
    assert "engine loop failed; retrying failures=1" in caplog.text
    assert "engine loop working again after failures=3" in caplog.text


# The dead man's switch


def test_deadman_get():
    with FakeMonitor() as monitor:
        DeadMansSwitch(monitor.url, "GET", 2, "host:1").ping().join()
    assert monitor.requests == [("GET", "/ping/check-uuid", b"")]


def test_deadman_post_names_engine():
    with FakeMonitor() as monitor:
        DeadMansSwitch(monitor.url, "POST", 2, "host:1").ping().join()
    [(method, _path, body)] = monitor.requests
    assert method == "POST"
    assert b"host:1" in body


def test_deadman_hanging_monitor(caplog):
    with FakeMonitor() as monitor:
        monitor.hang_seconds = 2
        switch = DeadMansSwitch(monitor.url, "GET", 0.2, "host:1")
        first = switch.ping()
        assert switch.ping() is None  # still waiting on the first
        first.join(timeout=5)
    assert not first.is_alive()
    assert "dead man's switch ping failed engine=host:1 error=ReadTimeout" in caplog.text
    assert monitor.url not in caplog.text


def test_deadman_without_url():
    assert DeadMansSwitch("", "GET", 1, "host:1").ping() is None


def test_engine_pings_deadman(running_engine, settings):
    with FakeMonitor() as monitor:
        settings.OOHDESK_DEADMAN_URL = monitor.url
        running_engine()
        assert monitor.wait_for(2, timeout=10) >= 2


# /metrics


def scrape(client, **headers) -> dict:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_counts(client, team, alice):
    urgent = report(team, NOW)
    report(team, NOW, site_down="no", affects_half="no")
    run_once(NOW)
    acknowledge(urgent.page.id, NOW + timedelta(seconds=90), alice, via="test")
    RejectedReport.objects.create(at=NOW, reason="rate_limit_ip", source="form", priority="P1", team_slug="web")

    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        samples = scrape(client)

    assert samples[("oohdesk_tickets_total", (("priority", "P1"), ("source", "form")))] == 1
    assert samples[("oohdesk_tickets_total", (("priority", "P3"), ("source", "form")))] == 1
    assert samples[("oohdesk_pages_total", ())] == 1
    assert samples[("oohdesk_pages", (("status", "acknowledged"),))] == 1
    assert samples[("oohdesk_pages", (("status", "triggered"),))] == 0
    sent = (("channel", "demo_phone"), ("purpose", "page"), ("status", "sent"))
    assert samples[("oohdesk_notification_attempts", sent)] == 1
    assert samples[("oohdesk_page_ack_seconds_bucket", (("le", "60"),))] == 0
    assert samples[("oohdesk_page_ack_seconds_bucket", (("le", "120"),))] == 1
    assert samples[("oohdesk_page_ack_seconds_count", ())] == 1
    assert samples[("oohdesk_page_ack_seconds_sum", ())] == 90
    assert samples[("oohdesk_reports_rejected_total", (("priority", "P1"), ("reason", "rate_limit_ip")))] == 1
    assert samples[("oohdesk_engine_send_lag_seconds", ())] == 0


def test_metrics_engine_lag(client, team):
    report(team, NOW)
    assert NotificationAttempt.objects.filter(status="pending").exists()
    with time_machine.travel(NOW + timedelta(seconds=42), tick=False):
        samples = scrape(client)
    assert samples[("oohdesk_engine_send_lag_seconds", ())] == 42
    assert samples[("oohdesk_engine_heartbeat_age_seconds", ())] == float("inf")


def test_metrics_escalation_lag(client, team):
    report(team, NOW)  # P1: the first step waits 300 seconds
    with time_machine.travel(NOW + timedelta(seconds=310), tick=False):
        samples = scrape(client)
    assert samples[("oohdesk_engine_escalation_lag_seconds", ())] == 10


def test_metrics_token(client, db, settings):
    settings.OOHDESK_METRICS_TOKEN = "scrape-secret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert scrape(client, HTTP_AUTHORIZATION="Bearer scrape-secret")
