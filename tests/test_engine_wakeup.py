"""A separate engine process starts on new work at once on PostgreSQL, woken by NOTIFY rather than its next poll."""

import os
import time

import httpx
import pytest
from processes import Desk, desk_config, fresh_database

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="needs PostgreSQL (DATABASE_URL)"),
]

# Far longer than the test waits, so only a wake-up can explain a prompt page.
POLL_SECONDS = 60
PAGED_WITHIN_SECONDS = 5

SENT_SCRIPT = (
    "from oohdesk.paging.models import NotificationAttempt; "
    "print(NotificationAttempt.objects.filter(page__ticket__ref='{ref}', status='sent').count())"
)


def test_separate_engine_pages_at_once(tmp_path):
    with fresh_database() as database_url:
        desk = Desk(tmp_path, database_url, {"OOHDESK_ENGINE_POLL_SECONDS": str(POLL_SECONDS)})
        config_file = tmp_path / "desk.yaml"
        config_file.write_text(desk_config("1h"))
        assert desk.run("config", "apply", str(config_file)).returncode == 0
        try:
            desk.start_web("--no-engine")
            desk.start("engine", name="engine")
            desk.wait_for_engines()
            # The engine's first loop has run, so it now waits a whole poll interval unless woken.
            time.sleep(1)
            report = {
                "reporter_name": "Dana Customer", "reporter_email": "dana@shop.example", "reporter_phone": "020 7946 0000",
                "organisation": "Shop Ltd",
                "site": "https://shop.example", "summary": "Checkout down", "description": "Nobody can pay.",
                "site_down": True, "affects_half": True,
            }
            reported_at = time.monotonic()
            response = httpx.post(f"{desk.base_url}/api/v1/tickets", json=report, timeout=10)
            assert response.status_code == 201, response.text
            reference = response.json()["ref"]
            sent = 0
            while not sent and time.monotonic() - reported_at < PAGED_WITHIN_SECONDS:
                time.sleep(0.2)
                sent = int(desk.run("shell", "--no-imports", "-c", SENT_SCRIPT.format(ref=reference)).stdout)
            assert sent, f"no page sent within {PAGED_WITHIN_SECONDS} s; engine log:\n{desk.log('engine')}"
        finally:
            desk.stop_all()
