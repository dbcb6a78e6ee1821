from datetime import timedelta

import pytest

from conftest import utc
from oohdesk.paging import dispatch
from oohdesk.paging.channels import CHANNELS, Channel, SendError, SendResult
from oohdesk.paging.dispatch import claim_due_attempts, send_attempt
from oohdesk.paging.models import NotificationAttempt
from reports import report

NIGHT = utc(2026, 12, 9, 23, 0)
Status = NotificationAttempt.Status


class FlakyChannel(Channel):
    """A channel that fails the first ``failures`` sends with the given kind of error."""

    kind = "flaky"
    label = "Flaky"

    def __init__(self, failures: int, permanent: bool):
        self.failures = failures
        self.permanent = permanent
        self.calls = 0

    def send(self, attempt, message):
        self.calls += 1
        if self.calls <= self.failures:
            raise SendError("provider answered 503", permanent=self.permanent)
        return SendResult(provider_id=f"flaky-{self.calls}", response={"status": 1})


@pytest.fixture
def flaky(monkeypatch, alice):
    def install(failures: int, permanent: bool = False) -> FlakyChannel:
        channel = FlakyChannel(failures, permanent)
        monkeypatch.setitem(CHANNELS, "flaky", channel)
        alice.contact_methods.all().delete()
        alice.contact_methods.create(kind="flaky", address="device-1")
        return channel

    return install


@pytest.mark.django_db
def test_claim_takes_each_attempt_once(team):
    report(team, NIGHT)
    first = claim_due_attempts(NIGHT, limit=10)
    second = claim_due_attempts(NIGHT, limit=10)
    assert len(first) == 1
    assert second == []


@pytest.mark.django_db
def test_expired_lease_is_claimed_again(team, settings):
    report(team, NIGHT)
    claimed = claim_due_attempts(NIGHT, limit=10)
    later = NIGHT + timedelta(seconds=settings.OOHDESK_ENGINE_LEASE_SECONDS + 1)
    assert claim_due_attempts(later, limit=10) == claimed
    assert NotificationAttempt.objects.get(id=claimed[0]).tries == 2


@pytest.mark.django_db
def test_transient_error_retried_with_backoff(team, flaky, settings):
    channel = flaky(failures=1)
    report(team, NIGHT)
    [attempt_id] = claim_due_attempts(NIGHT, limit=10)
    send_attempt(attempt_id, NIGHT)
    attempt = NotificationAttempt.objects.get(id=attempt_id)
    assert attempt.status == Status.PENDING
    assert "503" in attempt.error
    assert attempt.due_at > NIGHT
    [again] = claim_due_attempts(attempt.due_at, limit=10)
    send_attempt(again, attempt.due_at)
    attempt.refresh_from_db()
    assert attempt.status == Status.SENT
    assert attempt.provider_id == "flaky-2"
    assert channel.calls == 2


@pytest.mark.django_db
def test_permanent_error_fails_at_once(team, flaky):
    channel = flaky(failures=5, permanent=True)
    report(team, NIGHT)
    [attempt_id] = claim_due_attempts(NIGHT, limit=10)
    send_attempt(attempt_id, NIGHT)
    attempt = NotificationAttempt.objects.get(id=attempt_id)
    assert attempt.status == Status.FAILED
    assert channel.calls == 1
    assert attempt.page.events.filter(kind="notify_failed").exists()


@pytest.mark.django_db
def test_retries_are_bounded(team, flaky, settings):
    settings.OOHDESK_SEND_MAX_TRIES = 2
    channel = flaky(failures=99)
    report(team, NIGHT)
    at = NIGHT
    for _round in range(5):
        for attempt_id in claim_due_attempts(at, limit=10):
            send_attempt(attempt_id, NIGHT)
        at += timedelta(hours=1)
    assert channel.calls == 2
    assert NotificationAttempt.objects.get(channel="flaky").status == Status.FAILED


@pytest.mark.django_db
def test_unknown_channel_fails_permanently(team, alice):
    alice.contact_methods.all().delete()
    alice.contact_methods.create(kind="carrier_pigeon", address="loft 3")
    report(team, NIGHT)
    [attempt_id] = claim_due_attempts(NIGHT, limit=10)
    send_attempt(attempt_id, NIGHT)
    attempt = NotificationAttempt.objects.get(id=attempt_id)
    assert attempt.status == Status.FAILED
    assert "carrier_pigeon" in attempt.error


@pytest.mark.django_db
def test_attempt_of_acknowledged_page_not_sent(team, flaky):
    channel = flaky(failures=0)
    ticket = report(team, NIGHT)
    [attempt_id] = claim_due_attempts(NIGHT, limit=10)
    ticket.page.status = "acknowledged"
    ticket.page.save()
    send_attempt(attempt_id, NIGHT)
    assert channel.calls == 0
    assert NotificationAttempt.objects.get(id=attempt_id).status == Status.CANCELLED


def test_message_links_to_ack(db, team):
    ticket = report(team, NIGHT)
    attempt = ticket.page.attempts.get()
    message = dispatch.build_message(attempt)
    assert message.urgent
    assert ticket.ref in message.title
    assert "/ack/" in message.ack_url


def test_page_message_names_reporter(db, team):
    ticket = report(team, NIGHT)
    message = dispatch.build_message(ticket.page.attempts.get())
    assert "Dana Customer" in message.body
    assert "020 7946 0000" in message.body
