from datetime import timedelta

import pytest

from conftest import utc
from fakes.fixtures import add_method, callbacks, only_method, pushover, pushover_user  # noqa: F401
from oohdesk.paging.engine import run_once
from oohdesk.paging.escalation import acknowledge
from oohdesk.paging.models import NotificationAttempt, Page, ProviderTask
from oohdesk.paging.notices import queue_notice
from reports import report

NIGHT = utc(2026, 12, 9, 23, 0)
Status = NotificationAttempt.Status


@pytest.fixture
def alice_pushover(team, alice, pushover):
    key = pushover_user(pushover)
    only_method(alice, "pushover", key)
    return key


def test_page_sent_at_emergency_priority(db, team, pushover, alice_pushover, settings):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    [sent] = pushover.messages
    assert sent["priority"] == "2"
    assert sent["retry"] == str(settings.OOHDESK_PUSHOVER_RETRY_SECONDS)
    assert sent["expire"] == str(settings.OOHDESK_PUSHOVER_EXPIRE_SECONDS)
    assert "/channels/pushover/callback/" in sent["callback"]
    assert ticket.ref in sent["title"]
    attempt = NotificationAttempt.objects.get()
    assert attempt.status == Status.SENT
    assert attempt.provider_id == sent["receipt"]
    assert attempt.tasks.get().action == "poll"


def test_notice_sent_at_normal_priority(db, team, alice, pushover, alice_pushover):
    queue_notice(alice, "Handover on Monday", "You are on call from 09:00.", utc(2026, 12, 9, 10, 0))
    run_once(utc(2026, 12, 9, 10, 0))
    [sent] = pushover.messages
    assert sent["priority"] == "0"
    assert "retry" not in sent
    assert "callback" not in sent
    assert sent["receipt"] is None
    assert not ProviderTask.objects.exists()


def test_callback_acknowledges_page(transactional_db, team, pushover, alice_pushover, callbacks):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    receipt = pushover.messages[0]["receipt"]
    answer = pushover.acknowledge(receipt)
    assert answer.status_code == 200
    page = Page.objects.get(ticket=ticket)
    assert page.status == Page.Status.ACKNOWLEDGED
    assert page.acknowledged_via == "pushover"
    assert page.acknowledged_by.name == "Alice"


def test_callback_with_other_receipt_rejected(transactional_db, team, pushover, alice_pushover, callbacks):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    sent = pushover.messages[0]
    pushover.receipts[sent["receipt"]]["fields"] = {**sent, "callback": sent["callback"]}
    forged = pushover.receipts.pop(sent["receipt"])
    pushover.receipts["X" * 30] = forged
    answer = pushover.acknowledge("X" * 30)
    assert answer.status_code == 400
    assert Page.objects.get(ticket=ticket).status == Page.Status.TRIGGERED


def test_callback_with_bad_token_rejected(transactional_db, team, pushover, alice_pushover, callbacks, client):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    answer = client.post("/channels/pushover/callback/forged-token/", {"receipt": pushover.messages[0]["receipt"], "acknowledged": "1"})
    assert answer.status_code == 404
    assert Page.objects.get(ticket=ticket).status == Page.Status.TRIGGERED


def test_receipt_poll_acknowledges(db, team, pushover, alice_pushover, settings):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    receipt = pushover.messages[0]["receipt"]
    run_once(NIGHT + timedelta(seconds=settings.OOHDESK_PUSHOVER_POLL_SECONDS))
    assert Page.objects.get(ticket=ticket).status == Page.Status.TRIGGERED
    pushover.acknowledge(receipt, call_back=False)
    run_once(NIGHT + timedelta(seconds=2 * settings.OOHDESK_PUSHOVER_POLL_SECONDS))
    page = Page.objects.get(ticket=ticket)
    assert page.status == Page.Status.ACKNOWLEDGED
    assert page.acknowledged_via == "pushover_receipt"
    polls = [request for request in pushover.requests if request.path.startswith("/1/receipts/")]
    assert len(polls) == 2


def test_poll_waits_at_least_five_seconds(db, team, pushover, alice_pushover, settings):
    report(team, NIGHT)
    run_once(NIGHT)
    run_once(NIGHT + timedelta(seconds=4))
    assert settings.OOHDESK_PUSHOVER_POLL_SECONDS >= 5
    assert not [request for request in pushover.requests if request.path.startswith("/1/receipts/")]


def test_ack_elsewhere_cancels_retries(db, team, alice, pushover, alice_pushover):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    receipt = pushover.messages[0]["receipt"]
    acknowledge(ticket.page.id, NIGHT + timedelta(seconds=20), alice, via="dashboard")
    run_once(NIGHT + timedelta(seconds=20))
    assert pushover.receipts[receipt]["cancelled"] is True
    assert ProviderTask.objects.get(action="withdraw").status == "done"
    assert ticket.page.events.filter(kind="withdrawn").exists()


def test_invalid_user_key_breaks_method(db, team, alice, charlie, pushover):
    broken = only_method(alice, "pushover", "u" + "x" * 29)
    later = add_method(alice, "demo_phone", "", delay=300)
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    broken.refresh_from_db()
    assert broken.broken_at == NIGHT
    assert "user identifier" in broken.broken_reason
    assert NotificationAttempt.objects.get(contact_method=later).status == Status.SENT
    assert ticket.page.events.filter(kind="method_broken").exists()
    assert NotificationAttempt.objects.filter(member=charlie, purpose="notice").exists()


def test_broken_method_pages_nobody(db, team, alice, bob, pushover):
    only_method(alice, "pushover", "u" + "x" * 29)
    report(team, NIGHT)
    run_once(NIGHT)
    second = report(team, NIGHT + timedelta(minutes=1), site="https://blog.acme.example")
    run_once(NIGHT + timedelta(minutes=1))
    assert not NotificationAttempt.objects.filter(page=second.page, member=alice).exists()
    assert NotificationAttempt.objects.filter(page=second.page, member=bob).exists()
    assert second.page.events.filter(kind="member_unreachable", member=alice).exists()


def test_wrong_app_token_not_blamed_on_member(db, team, alice, pushover, alice_pushover, settings):
    settings.OOHDESK_PUSHOVER_APP_TOKEN = "b" * 30
    report(team, NIGHT)
    run_once(NIGHT)
    method = alice.contact_methods.get()
    assert method.broken_at is None
    attempt = NotificationAttempt.objects.get(member=alice)
    assert attempt.status == Status.FAILED
    assert "application token" in attempt.error


def test_unverified_method_pages_nobody(db, team, alice, bob, pushover):
    only_method(alice, "pushover", pushover_user(pushover), verified=False)
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    assert pushover.messages == []
    assert ticket.page.attempts.filter(member=bob).exists()


def test_delivery_log_masks_destination(db, team, pushover, alice_pushover, admin_client):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    attempt = NotificationAttempt.objects.get()
    page = admin_client.get(f"/pages/{ticket.page.id}/").content.decode()
    assert "Delivery log" in page
    assert alice_pushover not in page
    assert alice_pushover[:4] + "•" in page
    assert attempt.provider_id in page
    assert f"{attempt.latency_ms} ms" in page
    assert "Pushover notification sent to Alice at " + alice_pushover[:4] in page
