"""Running real oohdesk processes (web server, engine) against a fresh data directory or database."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent

# A team whose office opens for one minute a week, so every report arrives
# out of hours: Alice then Ben on the rota, Chloe leading.
DESK_CONFIG = """
calendars:
  - slug: closed
    name: Open one minute a week
    time_zone: Europe/London
    opening_hours: {sunday: ["04:00-04:01"]}
escalation_policies:
  - slug: policy
    name: Test policy
    ack_timeout: {P1: %(timeout)s, P2: %(timeout)s}
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
    contact_methods: [{kind: demo_phone}]
teams:
  - slug: web
    name: Web team
    calendar: closed
    escalation_policy: policy
    lead: chloe@agency.example
    rota:
      time_zone: Europe/London
      handover: {weekday: monday, time: "09:00"}
      start_date: 2026-01-05
      members: [alice@agency.example, ben@agency.example]
"""


def desk_config(ack_timeout: str) -> str:
    """Return DESK_CONFIG with every step waiting ``ack_timeout`` (such as "3s" or "1h") for an acknowledgement."""
    return DESK_CONFIG % {"timeout": ack_timeout}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Desk:
    """An oohdesk installation for one test: its environment, processes and an HTTP client."""

    def __init__(self, data_dir: Path, database_url: str | None, extra_env: dict | None = None):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **{key: value for key, value in os.environ.items() if not key.startswith("OOHDESK_")},
            "OOHDESK_DATA_DIR": str(data_dir),
            "OOHDESK_BASE_URL": self.base_url,
            "OOHDESK_ENGINE_POLL_SECONDS": "0.1",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        else:
            self.env.pop("DATABASE_URL", None)
        self.data_dir = data_dir
        self.processes: list[subprocess.Popen] = []

    def run(self, *args: str, input_text: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "oohdesk", *args],
            env=self.env, cwd=ROOT, capture_output=True, text=True, input=input_text, timeout=120,
        )

    def start(self, *args: str, name: str) -> subprocess.Popen:
        log = open(self.data_dir / f"{name}.log", "ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "oohdesk", *args], env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def start_web(self, *extra: str) -> subprocess.Popen:
        process = self.start("serve", "--port", str(self.port), *extra, name="web")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/report/", timeout=1).status_code < 500:
                    return process
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError(f"web server did not start; log:\n{self.log('web')}")

    def wait_for_engines(self, count: int = 1, timeout: float = 30, log_name: str = "engine") -> None:
        """Wait until /healthz counts at least ``count`` live engines."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            health = httpx.get(f"{self.base_url}/healthz", timeout=5)
            if health.status_code == 200 and health.json()["engine"]["live_engines"] >= count:
                return
            time.sleep(0.2)
        raise AssertionError(f"{count} engine(s) did not report in within {timeout:g} s; log:\n{self.log(log_name)}")

    def log(self, name: str) -> str:
        path = self.data_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def fresh_database(base_url: str | None = None, prefix: str = "oohdesk_e2e"):
    """Yield a DATABASE_URL for a new PostgreSQL database on the server of ``base_url``, dropped afterwards.

    ``base_url`` defaults to DATABASE_URL, so the tests get a database of their
    own when they run on PostgreSQL; without either, this yields None (SQLite).
    """
    base_url = base_url or os.environ.get("DATABASE_URL")
    if not base_url:
        yield None
        return
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin_url = re.sub(r"/[^/]*$", "/postgres", base_url)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield re.sub(r"/[^/]*$", f"/{name}", base_url)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
