"""Shared parts of the benchmarks: the machine's description, a desk of real processes, load and figures.

A benchmark starts real `oohdesk serve` and `oohdesk engine` processes, as in
production, against a fresh SQLite file or a fresh PostgreSQL database, with a
fake Pushover on 127.0.0.1 recording when each request arrives. Nothing here
talks to any address but loopback.
"""

import argparse
import asyncio
import json
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakes.pushover import FakePushover, user_key  # noqa: E402
from processes import Desk, free_port, fresh_database  # noqa: E402

DEFAULT_POSTGRESQL = "postgres://postgres@127.0.0.1:5432/test"
APP_TOKEN = "a" * 30
REFERENCE = re.compile(r"\bOOH-[A-Z0-9]{6}\b")

# A team whose office never opens, so every report is out of hours: Alice, then
# Ben on the rota, then Chloe leading, each paged by Pushover alone.
CONFIG = """
calendars:
  - slug: closed
    name: Never open
    time_zone: Europe/London
    opening_hours: {}
escalation_policies:
  - slug: policy
    name: Benchmark policy
    ack_timeout: {P1: %(timeout)s, P2: %(timeout)s}
    repeat: 0
    steps: [on_call, next_in_rota, team_lead]
members:
  - name: Alice Ahmed
    email: alice@agency.example
    contact_methods: [{kind: pushover, address: %(alice)s}]
  - name: Ben Carter
    email: ben@agency.example
    contact_methods: [{kind: pushover, address: %(ben)s}]
  - name: Chloe Davies
    email: chloe@agency.example
    contact_methods: [{kind: pushover, address: %(chloe)s}]
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

# Set-up only: the benchmark's Pushover keys count as verified, as after `oohdesk verify-contact`.
VERIFY_SCRIPT = (
    "from django.utils import timezone; from oohdesk.paging.models import ContactMethod; "
    "ContactMethod.objects.update(verified_at=timezone.now())"
)

BENCH_ENV = {
    # Production's own poll interval, not the tests' shorter one.
    "OOHDESK_ENGINE_POLL_SECONDS": "0.25",
    "OOHDESK_PUSHOVER_APP_TOKEN": APP_TOKEN,
    # Every report comes from one loopback address and from unknown reporters.
    "OOHDESK_REPORTS_PER_IP": "0",
    "OOHDESK_REPORTS_PER_ORGANISATION": "0",
    "OOHDESK_UNVERIFIED_PAGES_PER_ADDRESS": "1000000",
    "OOHDESK_UNVERIFIED_PAGES_PER_ORGANISATION": "1000000",
    "OOHDESK_LOG_LEVEL": "WARNING",
}


# Figures


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def summary_ms(seconds: list[float]) -> dict:
    """Median, 99th percentile and maximum of durations in seconds, as milliseconds."""
    if not seconds:
        return {"count": 0}
    return {
        "count": len(seconds),
        "median_ms": round(statistics.median(seconds) * 1000, 1),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 1),
        "max_ms": round(max(seconds) * 1000, 1),
    }


def ratio(value: float, floor: float) -> str:
    return f"{value / floor:.1f}×" if floor else "n/a"


def machine() -> dict:
    """Describe the machine the figures were measured on."""
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average": [round(load, 2) for load in os.getloadavg()],
    }


def postgresql_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def parser_for(description: str, database: str, engines: int) -> argparse.ArgumentParser:
    """Return an argument parser with the options every benchmark shares: the database and the engine processes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql"], default=database, help=f"Database to run on (default {database})."
    )
    parser.add_argument("--database-url", default=DEFAULT_POSTGRESQL, help="PostgreSQL server to create the benchmark database on (default %(default)s).")
    parser.add_argument(
        "--engines", type=int, default=engines, help="Separate engine processes; 0 runs the engine inside `oohdesk serve` (default %(default)s)."
    )
    return parser


def print_machine(options: argparse.Namespace) -> None:
    about = machine()
    if options.database == "postgresql":
        about["postgresql"] = postgresql_version(options.database_url)
    print_figures("machine", about)


def setup_name(options: argparse.Namespace) -> str:
    """Describe the processes under test, such as "postgresql, 2 engine processes"."""
    if not options.engines:
        return f"{options.database}, engine inside serve"
    return f"{options.database}, {options.engines} engine process{'es' if options.engines > 1 else ''}"


def print_figures(title: str, figures: dict) -> None:
    print(f"== {title}")
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    sys.stdout.flush()


# The desk under test


@contextmanager
def database(kind: str, server_url: str):
    """Yield the DATABASE_URL of a fresh database of ``kind`` ("sqlite" or "postgresql"); None means SQLite."""
    if kind == "sqlite":
        yield None
        return
    with fresh_database(server_url, prefix="oohdesk_bench") as url:
        yield url


@dataclass
class BenchDesk:
    desk: Desk
    pushover: FakePushover
    keys: dict[str, str]
    web: subprocess.Popen | None = None
    engines: list[subprocess.Popen] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.desk.base_url

    def start(self, engines: int) -> None:
        """Start the web server, with the engine inside it when ``engines`` is 0, else beside that many engines."""
        if engines:
            self.web = self.desk.start_web("--no-engine", "--threads", "8")
            self.engines = [self.desk.start("engine", name=f"engine{number}") for number in range(engines)]
        else:
            self.web = self.desk.start_web("--threads", "8")
        self.desk.wait_for_engines(max(engines, 1), log_name="engine0" if engines else "web")

    def shell(self, script: str) -> str:
        done = self.desk.run("shell", "--no-imports", "-c", script)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        return done.stdout

    def pages(self) -> dict[str, list["Arrival"]]:
        """Return every Pushover page that reached the fake, by ticket reference, in order of arrival."""
        names = {key: name for name, key in self.keys.items()}
        found: dict[str, list[Arrival]] = {}
        for request in sorted(self.pushover.requests, key=lambda request: request.arrived_at):
            fields = request.fields
            match = REFERENCE.search(fields.get("title", ""))
            if request.path == "/1/messages.json" and match:
                found.setdefault(match[0], []).append(Arrival(names.get(fields.get("user")), request.arrived_at, request.arrived_wall))
        return found


@dataclass
class Arrival:
    member: str | None
    monotonic: float
    wall: float


@contextmanager
def bench_desk(kind: str, admin_url: str, ack_timeout: str = "1h", **extra_env):
    """Yield a configured desk on a fresh database with its fake Pushover. The caller starts its processes."""
    with FakePushover(APP_TOKEN) as pushover, database(kind, admin_url) as database_url, tempfile.TemporaryDirectory() as data_dir:
        keys = {name: user_key() for name in ("alice", "ben", "chloe")}
        pushover.users.update(keys.values())
        environment = {**BENCH_ENV, "OOHDESK_PUSHOVER_API_URL": pushover.url, **extra_env}
        desk = Desk(Path(data_dir), database_url, environment)
        config_file = Path(data_dir) / "desk.yaml"
        config_file.write_text(CONFIG % {"timeout": ack_timeout, **keys})
        applied = desk.run("config", "apply", str(config_file))
        if applied.returncode != 0:
            raise RuntimeError(applied.stderr)
        bench = BenchDesk(desk, pushover, keys)
        bench.shell(VERIFY_SCRIPT)
        try:
            yield bench
        finally:
            desk.stop_all()


def report_body(number: int, run: str) -> dict:
    """Return an urgent report (Yes to both questions) from an organisation of its own, so none is a duplicate."""
    return {
        "reporter_name": "Dana Customer",
        "reporter_email": "dana@shop.example",
        "reporter_phone": "020 7946 0000",
        "organisation": f"Shop {run}-{number} Ltd",
        "site": f"https://shop-{run}-{number}.example",
        "summary": f"Checkout down {number}",
        "description": "Customers cannot pay.",
        "site_down": True,
        "affects_half": True,
    }


# Load


@dataclass
class Sent:
    number: int
    scheduled: float
    finished: float
    status: int
    reference: str | None

    @property
    def latency(self) -> float:
        return self.finished - self.scheduled


async def _open_loop(base_url: str, path: str, rate: float, seconds: float, body_for) -> list[Sent]:
    """Send ``rate`` requests a second for ``seconds``, each at its scheduled moment, whatever earlier ones are doing.

    Latency counts from the scheduled moment, so a client or server falling
    behind shows in the figures instead of quietly lowering the rate.
    """
    count = int(rate * seconds)
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
    results: list[Sent] = []
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

        async def send(number: int, scheduled: float) -> None:
            try:
                response = await client.post(path, json=body_for(number))
                status = response.status_code
                reference = response.json().get("ref") if status in (200, 201) else None
            except (httpx.HTTPError, ValueError):
                status, reference = 0, None
            results.append(Sent(number, scheduled, time.monotonic(), status, reference))

        start = time.monotonic() + 0.2
        tasks = []
        for number in range(count):
            scheduled = start + number / rate
            delay = scheduled - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(number, scheduled)))
        await asyncio.gather(*tasks)
    return sorted(results, key=lambda sent: sent.number)


def open_loop(base_url: str, path: str, rate: float, seconds: float, body_for) -> list[Sent]:
    return asyncio.run(_open_loop(base_url, path, rate, seconds, body_for))


# The machine's floor


@contextmanager
def floor_server(forward_to: str | None = None):
    """A bare WSGI app on waitress with oohdesk's thread count, responding at once or after one POST to ``forward_to``."""
    port = free_port()
    command = [sys.executable, str(ROOT / "bench" / "floor_app.py"), "--port", str(port)]
    if forward_to:
        command += ["--forward", forward_to]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(base_url, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield process, base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def resident_kib(pid: int) -> int:
    return int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())[1])


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgresql_pids() -> list[int]:
    pids = []
    for status in Path("/proc").glob("[0-9]*/comm"):
        try:
            if status.read_text().strip() in ("postgres", "postmaster"):
                pids.append(int(status.parent.name))
        except OSError:
            continue
    return pids


class CpuMeter:
    """CPU time the desk's processes, PostgreSQL's and this benchmark's own use between ``start`` and ``stop``.

    Each process counts from its first reading, so one that starts during the
    run counts in full and one that exits drops out. The PostgreSQL figure
    covers the whole server, so other databases' work on it counts too.
    """

    def __init__(self, desk: "BenchDesk"):
        self.groups = {"web": lambda: [desk.web.pid], "engines": lambda: [engine.pid for engine in desk.engines],
                       "postgresql": postgresql_pids, "load_generator": lambda: [os.getpid()]}

    def _read(self) -> dict[str, dict[int, float]]:
        readings = {}
        for name, pids in self.groups.items():
            readings[name] = {}
            for pid in pids():
                try:
                    readings[name][pid] = cpu_seconds(pid)
                except (OSError, IndexError):
                    continue
        return readings

    def start(self) -> None:
        self.started = self._read()

    def stop(self) -> dict[str, float]:
        ended = self._read()
        return {
            name: sum(seconds - self.started[name].get(pid, 0.0) for pid, seconds in readings.items())
            for name, readings in ended.items()
        }
