import hashlib
import hmac
import json

import pytest

from conftest import utc
from fakes.fixtures import receiver  # noqa: F401
from oohdesk.paging.engine import run_once
from oohdesk.paging.escalation import acknowledge
from oohdesk.paging.models import AnnouncementChannel, DemoPhoneMessage, NotificationAttempt
from reports import report

NIGHT = utc(2026, 12, 9, 23, 0)
SECRET = "webhook-secret-for-tests"


@pytest.fixture
def chat(team, receiver):
    url = receiver.url.replace("http://", "json://") + "/chat"
    return AnnouncementChannel.objects.create(slug="web-chat", name="#web-oncall", kind="apprise", url=url, team=team)


@pytest.fixture
def hook(team, receiver, settings):
    settings.OOHDESK_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    return AnnouncementChannel.objects.create(
        slug="agency-tools", name="Agency tools", kind="webhook", url=receiver.url + "/oohdesk", secret=SECRET
    )


def test_chat_announces_who_was_paged(db, team, alice, chat, receiver):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    [request] = receiver.requests
    sent = request.json()
    assert sent["message"] == f"P1 from Acme Widgets, paged Alice: Checkout fails with an error ({ticket.ref})"
    assert sent["type"] == "info"
    attempt = NotificationAttempt.objects.get(purpose="announcement")
    assert attempt.status == "sent"
    assert attempt.provider_response["service"] == "JSON"
    assert attempt.provider_response["delivered"] is True


def test_chat_never_replaces_page(db, team, alice, chat):
    report(team, NIGHT)
    run_once(NIGHT)
    assert DemoPhoneMessage.objects.filter(member=alice, urgent=True).count() == 1


def test_chat_announces_acknowledgement(db, team, alice, chat, receiver):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    acknowledge(ticket.page.id, NIGHT, alice, via="dashboard")
    run_once(NIGHT)
    assert "acknowledged by Alice through the dashboard" in receiver.requests[-1].json()["message"]


def test_chat_failure_retried(db, team, alice, chat, receiver):
    from fakes.server import Reply

    receiver.fail_with = Reply(503, {})
    report(team, NIGHT)
    run_once(NIGHT)
    attempt = NotificationAttempt.objects.get(purpose="announcement")
    assert attempt.status == "pending"
    assert "could not deliver" in attempt.error


def test_webhook_signed(db, team, alice, hook, receiver):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    [request] = receiver.requests
    timestamp = request.headers["x-oohdesk-timestamp"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-oohdesk-signature"] == f"sha256={expected}"
    payload = json.loads(request.body)
    assert payload["event"] == "page.step_started"
    assert payload["ticket"]["ref"] == ticket.ref
    assert request.headers["x-oohdesk-event"] == "page.step_started"


def test_webhook_refuses_loopback(db, team, alice, hook, receiver, settings):
    settings.OOHDESK_WEBHOOK_ALLOWED_NETWORKS = []
    report(team, NIGHT)
    run_once(NIGHT)
    attempt = NotificationAttempt.objects.get(purpose="announcement")
    assert attempt.status == "failed"
    assert "127.0.0.1" in attempt.error
    assert receiver.requests == []


@pytest.mark.parametrize("address", ["10.1.2.3", "169.254.169.254", "192.168.0.10", "::1", "fe80::1"])
def test_webhook_refuses_private_addresses(address):
    from oohdesk.paging.channels import SendError
    from oohdesk.paging.channels.webhook import check_destination

    host = f"[{address}]" if ":" in address else address
    with pytest.raises(SendError, match="OOHDESK_WEBHOOK_ALLOWED_NETWORKS"):
        check_destination(f"http://{host}/hook")
