"""Provider faults: errors, timeouts, a hanging provider, members nobody can reach, two providers down."""

import threading
import time as time_module
from contextlib import contextmanager
from datetime import date, time
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_member, utc
from fakes.fixtures import add_method, ntfy, only_method, pushover, pushover_user, twilio  # noqa: F401
from fakes.server import Reply
from oohdesk.paging.dispatch import claim_due_attempts, send_attempt
from oohdesk.paging.engine import Engine, run_once
from oohdesk.paging.escalation import acknowledge
from oohdesk.paging.models import NotificationAttempt, Page, PageEvent
from oohdesk.rota.models import Rota, RotaMembership, Team
from reports import report

NIGHT = utc(2026, 12, 9, 23, 0)
Status = NotificationAttempt.Status
UNAVAILABLE = Reply(503, {"status": 0, "errors": ["service unavailable"], "request": "r"})


def timeline(page) -> str:
    return "\n".join(event.message for event in page.events.all())


def test_503_retried_until_sent(db, team, alice, pushover, settings):
    only_method(alice, "pushover", pushover_user(pushover))
    ticket = report(team, NIGHT)
    pushover.fail_with = UNAVAILABLE
    run_once(NIGHT)
    attempt = NotificationAttempt.objects.get(member=alice)
    assert attempt.status == Status.PENDING
    assert "503" in attempt.error
    pushover.fail_with = None
    run_once(attempt.due_at)
    attempt.refresh_from_db()
    assert attempt.status == Status.SENT
    assert attempt.tries == 2
    assert len(pushover.messages) == 1
    assert acknowledge(ticket.page.id, attempt.due_at, alice, via="dashboard").accepted


def test_timeout_after_request_not_resent(db, team, alice, pushover, ntfy, settings):
    settings.OOHDESK_PROVIDER_TIMEOUT_SECONDS = 0.5
    only_method(alice, "pushover", pushover_user(pushover))
    backup = add_method(alice, "ntfy", "alice-backup-topic", delay=600)
    ticket = report(team, NIGHT)
    pushover.hang = True
    run_once(NIGHT)
    pushover.release.set()
    first = NotificationAttempt.objects.get(member=alice, channel="pushover")
    assert first.status == Status.UNKNOWN
    assert "may have been delivered" in first.error
    assert NotificationAttempt.objects.get(contact_method=backup).status == Status.SENT
    run_once(NIGHT + timedelta(hours=1))
    assert len([request for request in pushover.requests if request.path == "/1/messages.json"]) == 1
    assert "not sent again" in timeline(ticket.page)


def test_slow_failure_not_backdated(db, team, pushover, settings):
    settings.OOHDESK_PROVIDER_TIMEOUT_SECONDS = 0.5
    # The rota changes weekly and this test runs on the real clock, so page whoever is on call now.
    only_method(team.on_call_at(timezone.now()), "pushover", pushover_user(pushover))
    ticket = report(team, timezone.now())
    pushover.hang = True
    [attempt_id] = claim_due_attempts(timezone.now(), limit=10)
    started = timezone.now()
    send_attempt(attempt_id)
    pushover.release.set()
    timed_out = started + timedelta(seconds=0.5)
    page = Page.objects.get(ticket=ticket)
    failure = page.events.get(kind=PageEvent.Kind.NOTIFY_FAILED, message__contains="outcome unknown")
    assert failure.at >= timed_out
    # The next step starts when the send failed, and waits its whole timeout from then.
    assert page.step_index == 1
    assert page.events.get(kind=PageEvent.Kind.STEP_STARTED, message__startswith="Step 2").at >= timed_out
    assert page.step_due_at >= timed_out + timedelta(minutes=5)


def test_member_without_working_method_skipped(db, team, alice, bob, charlie, pushover):
    only_method(alice, "pushover", pushover_user(pushover), verified=False)
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    page = Page.objects.get(ticket=ticket)
    assert page.step_index == 1
    assert page.step_due_at == NIGHT + timedelta(minutes=5)
    assert NotificationAttempt.objects.filter(page=page, member=bob, status=Status.SENT).exists()
    assert page.events.filter(kind=PageEvent.Kind.MEMBER_UNREACHABLE, member=alice).exists()
    notice = NotificationAttempt.objects.get(member=charlie, purpose="notice")
    assert "Alice could not be paged" in notice.title


def test_two_providers_down_escalates_at_once(db, team, alice, bob, pushover, twilio, ntfy, settings):
    settings.OOHDESK_SEND_MAX_TRIES = 2
    only_method(alice, "pushover", pushover_user(pushover))
    add_method(alice, "voice", "+447700900123")
    only_method(bob, "ntfy", "bob-pages-9x8y")
    pushover.fail_with = UNAVAILABLE
    twilio.fail_with = Reply(503, {"code": 20500, "message": "Internal Server Error", "status": 503})
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    retry_at = NIGHT + timedelta(seconds=settings.OOHDESK_SEND_RETRY_SECONDS)
    run_once(retry_at)
    page = Page.objects.get(ticket=ticket)
    assert page.step_index == 1
    assert page.step_due_at == retry_at + timedelta(minutes=5)
    assert NotificationAttempt.objects.filter(member=alice, status=Status.FAILED).count() == 2
    assert "every notification failed" in timeline(page)
    assert ntfy.published[0]["topic"] == "bob-pages-9x8y"
    assert acknowledge(page.id, retry_at, bob, via="ntfy").accepted


@pytest.fixture
def other_team(calendar, policy):
    """Dora alone on another team's rota, reachable by ntfy."""
    dora = make_member("dora")
    ops = Team.objects.create(slug="ops", name="Ops", calendar=calendar, escalation_policy=policy)
    rota = Rota.objects.create(team=ops, time_zone="Europe/London", handover_weekday=0, handover_time=time(9), start_date=date(2026, 1, 5))
    RotaMembership.objects.create(rota=rota, member=dora, position=0)
    return ops, dora


@contextmanager
def running(engine: Engine):
    """Run ``engine`` on a thread of its own for the length of the block, then stop it."""
    runner = threading.Thread(target=engine.run, daemon=True)
    runner.start()
    try:
        yield engine
    finally:
        engine.stop()
        runner.join(30)


def test_hanging_provider_delays_nobody_else(transactional_db, team, alice, bob, other_team, pushover, ntfy, settings):
    settings.OOHDESK_PROVIDER_TIMEOUT_SECONDS = 30
    settings.OOHDESK_ENGINE_CHANNEL_WORKERS = 2
    ops, dora = other_team
    only_method(team.on_call_at(timezone.now()), "pushover", pushover_user(pushover))
    only_method(dora, "ntfy", "dora-pages-4k2j")
    pushover.hang = True
    for number in range(3):
        # Different sites, so no report is linked to another as its duplicate.
        report(team, timezone.now(), site=f"https://shop{number}.acme.example", reporter_email=f"ops{number}@acme.example")

    with running(Engine(workers=4, poll_seconds=0.05)):
        try:
            assert pushover.received.wait(20), "no Pushover page went out"
            report(ops, timezone.now())
            assert ntfy.answered.wait(20), "the ntfy page never went out"
            # Dora's page went out while Alice's Pushover pages were still hanging.
            assert pushover.hanging >= 1
            assert ntfy.published[0]["topic"] == "dora-pages-4k2j"
            # Two of the four workers stayed free of the hanging provider.
            assert len(pushover.requests) == settings.OOHDESK_ENGINE_CHANNEL_WORKERS
        finally:
            pushover.release.set()


def test_backlog_sent_without_waiting_for_poll(transactional_db, team, pushover, settings):
    """A claim cut short by the per-channel limit goes on as sends finish, not one batch per poll."""
    settings.OOHDESK_ENGINE_CHANNEL_WORKERS = 1
    only_method(team.on_call_at(timezone.now()), "pushover", pushover_user(pushover))
    # Four reports stay under the hourly page limit for one unverified organisation.
    for number in range(4):
        report(team, timezone.now(), site=f"https://shop{number}.acme.example", reporter_email=f"ops{number}@acme.example")

    # A poll far longer than the wait below, so only finished sends can wake the loop.
    with running(Engine(workers=4, poll_seconds=60)):
        deadline = time_module.monotonic() + 15
        while len(pushover.messages) < 4 and time_module.monotonic() < deadline:
            time_module.sleep(0.05)
    assert len(pushover.messages) == 4


def test_unusable_first_method_moves_rest_earlier(db, team, alice, pushover):
    from oohdesk.paging.models import NotificationRule

    broken = only_method(alice, "pushover", pushover_user(pushover), verified=False)
    phone = add_method(alice, "demo_phone", "")
    NotificationRule.objects.create(member=alice, priority="P1", contact_method=broken, position=0)
    NotificationRule.objects.create(member=alice, priority="P1", contact_method=phone, delay_seconds=120, position=1)
    report(team, NIGHT)
    run_once(NIGHT)
    attempt = NotificationAttempt.objects.get(member=alice)
    assert attempt.channel == "demo_phone"
    assert attempt.due_at == NIGHT
    assert attempt.status == Status.SENT
