import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(tmp_path, **environment) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OOHDESK_") and key != "DATABASE_URL"}
    env.update(OOHDESK_DATA_DIR=str(tmp_path), **environment)
    return subprocess.run([sys.executable, "-m", "oohdesk", "check"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_lease_shorter_than_timeouts_rejected(tmp_path):
    result = run_check(tmp_path, OOHDESK_ENGINE_LEASE_SECONDS="15", OOHDESK_PROVIDER_TIMEOUT_SECONDS="10")
    assert result.returncode != 0
    assert "OOHDESK_ENGINE_LEASE_SECONDS=15 must be more than twice" in result.stderr


def test_pushover_expiry_above_maximum_rejected(tmp_path):
    result = run_check(tmp_path, OOHDESK_PUSHOVER_EXPIRE_SECONDS="20000")
    assert result.returncode != 0
    assert "above Pushover's maximum of 10800" in result.stderr


def test_webhook_network_must_be_cidr(tmp_path):
    result = run_check(tmp_path, OOHDESK_WEBHOOK_ALLOWED_NETWORKS="localhost")
    assert result.returncode != 0
    assert "'localhost' is not a network" in result.stderr
