"""The whole flow through real processes: report form, paging engine, demo phones, acknowledgement.

Each test starts `oohdesk serve` (and sometimes `oohdesk engine`) as real
processes on a fresh SQLite file, or a fresh PostgreSQL database when the
suite runs on PostgreSQL, with a fake SMTP server on 127.0.0.1.
"""

import json
import re
import signal
import time

from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from fake_smtp import FakeSmtp
from processes import Desk, desk_config, free_port, fresh_database
from oohdesk.zones import format_local
from reports import GOOD_REPORT

pytestmark = pytest.mark.slow

CONFIG = desk_config(ack_timeout="3s")
PASSWORD = "correct-horse-battery-staple"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def smtp():
    with FakeSmtp(free_port()) as server:
        yield server


@pytest.fixture
def desk(tmp_path, smtp):
    with fresh_database() as database_url:
        installation = Desk(
            tmp_path, database_url, {"OOHDESK_EMAIL_HOST": "127.0.0.1", "OOHDESK_EMAIL_PORT": str(smtp.port)}
        )
        config_file = tmp_path / "desk.yaml"
        config_file.write_text(CONFIG)
        applied = installation.run("config", "apply", str(config_file))
        assert applied.returncode == 0, applied.stderr
        created = installation.run(
            "shell", "-c",
            "from django.contrib.auth.models import User; "
            f"User.objects.create_superuser('admin', 'admin@agency.example', '{PASSWORD}')",
        )
        assert created.returncode == 0, created.stderr
        try:
            yield installation
        finally:
            installation.stop_all()


def member_ids(desk: Desk) -> dict[str, int]:
    listed = desk.run("shell", "--no-imports", "-c", "import json; from oohdesk.rota.models import Member; print(json.dumps({m.name: m.id for m in Member.objects.all()}))")
    return json.loads(listed.stdout)


def on_call_now(desk: Desk) -> str:
    return on_call_details(desk)["name"]


def on_call_details(desk: Desk) -> dict:
    return json.loads(desk.run("oncall", "--json").stdout)["on_call"]


def signed_in(desk: Desk) -> httpx.Client:
    client = httpx.Client(base_url=desk.base_url, timeout=10)
    login_page = client.get("/login/")
    token = CSRF.search(login_page.text).group(1)
    response = client.post("/login/", data={"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302, response.text
    return client


def submit_report(desk: Desk, site_down: str, affects_half: str) -> tuple[str, str]:
    """Send the Issue Report form as a browser would; return the reference and the confirmation page."""
    client = httpx.Client(base_url=desk.base_url, timeout=10, follow_redirects=True)
    form = client.get("/report/")
    token = CSRF.search(form.text).group(1)
    confirmation = client.post(
        "/report/",
        data={**GOOD_REPORT, "site_down": site_down, "affects_half": affects_half, "csrfmiddlewaretoken": token},
    )
    assert confirmation.status_code == 200
    reference = re.search(r"OOH-[A-Z0-9]{6}", confirmation.text).group(0)
    return reference, confirmation.text


def wait_for_phone(client: httpx.Client, member_id: int, text: str, timeout: float) -> float:
    """Poll a demo phone until ``text`` shows; return the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if text in client.get(f"/phone/{member_id}/").text:
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"{text} did not reach the demo phone of member {member_id} within {timeout} s")


def test_report_pages_escalates_and_ack_stops(desk, smtp):
    desk.start_web()
    ids = member_ids(desk)
    first = on_call_now(desk)
    second = "Ben Carter" if first == "Alice Ahmed" else "Alice Ahmed"
    staff = signed_in(desk)

    reference, confirmation = submit_report(desk, "yes", "no")
    assert "on-call developer has been alerted" in confirmation

    assert wait_for_phone(staff, ids[first], reference, timeout=2.0) < 2.0
    wait_for_phone(staff, ids[second], reference, timeout=10.0)

    staff_emails = [
        message for message in smtp.wait_for(2, timeout=5)
        if reference in message["Subject"] and message["To"] != GOOD_REPORT["reporter_email"]
    ]
    page_email = staff_emails[0]
    ack_link = re.search(r"http://127\.0\.0\.1:\d+/ack/\S+", page_email.get_payload(decode=True).decode()).group(0)
    link_page = httpx.get(ack_link, timeout=10)
    token = CSRF.search(link_page.text).group(1)
    acknowledged = httpx.post(
        ack_link, data={"csrfmiddlewaretoken": token}, cookies=link_page.cookies, timeout=10
    )
    assert acknowledged.status_code == 200
    assert "Acknowledged" in acknowledged.text

    time.sleep(4)  # longer than a step's timeout: the team lead would be paged by now
    assert reference not in staff.get(f"/phone/{ids['Chloe Davies']}/").text


def test_normal_report_out_of_hours_pages_nobody(desk):
    desk.start_web()
    ids = member_ids(desk)
    staff = signed_in(desk)
    hours = json.loads(desk.run("hours", "--json").stdout)
    if hours["in_hours"]:
        pytest.skip("ran inside the calendar's one open minute of the week")
    opening = format_local(datetime.fromisoformat(hours["next_opening"]), ZoneInfo("Europe/London"))
    reference, confirmation = submit_report(desk, "no", "no")
    assert f"we will pick it up at {opening}" in confirmation
    time.sleep(1)
    for member_id in ids.values():
        assert reference not in staff.get(f"/phone/{member_id}/").text


def test_engine_killed_mid_send_still_delivers_once(desk, smtp):
    desk.env["OOHDESK_ENGINE_LEASE_SECONDS"] = "5"
    # The lease must outlast two provider timeouts, so a send is never claimed twice while it waits.
    desk.env["OOHDESK_PROVIDER_TIMEOUT_SECONDS"] = "2"
    desk.env["OOHDESK_EMAIL_TIMEOUT"] = "2"
    desk.start_web("--no-engine")
    ids = member_ids(desk)
    staff = signed_in(desk)
    smtp.handler.stall_seconds = 30
    reference, _confirmation = submit_report(desk, "yes", "yes")

    engine = desk.start("engine", name="engine-1")
    assert smtp.handler.data_started.wait(timeout=15), desk.log("engine-1")
    engine.send_signal(signal.SIGKILL)
    engine.wait(timeout=10)
    smtp.handler.stall_seconds = 0

    desk.start("engine", name="engine-2")
    first = on_call_details(desk)
    wait_for_phone(staff, ids[first["name"]], reference, timeout=10)
    def pages_to_first():
        return [
            message for message in smtp.handler.messages
            if reference in message["Subject"] and message["To"] == first["email"]
        ]

    deadline = time.monotonic() + 20
    while not pages_to_first() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.5)  # room for a duplicate to arrive, if one were sent
    assert len(pages_to_first()) == 1
    assert demo_phone_deliveries(desk, reference, first["name"]) == 1
    assert "lease expired" in desk.log("engine-2")


def demo_phone_deliveries(desk: Desk, reference: str, member_name: str) -> int:
    counted = desk.run(
        "shell", "--no-imports", "-c",
        "from oohdesk.paging.models import DemoPhoneMessage; "
        f"print(DemoPhoneMessage.objects.filter(page__ticket__ref='{reference}', member__name='{member_name}').count())",
    )
    return int(counted.stdout.strip())
