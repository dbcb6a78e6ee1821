"""Held P3 tickets join the working queue at the next opening, released by the engine with the clock controlled."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client

from calendars import uk
from conftest import make_member
from oohdesk import links
from oohdesk.hours.models import Closure
from oohdesk.paging.engine import Engine, run_once
from oohdesk.paging.models import DemoPhoneMessage, NotificationAttempt, Page
from oohdesk.paging.releases import release_held_tickets
from oohdesk.tickets.models import Ticket
from oohdesk.tickets.signals import ticket_changed
from reports import report

# Friday 4 December 2026, 19:00 UK time, and the next opening of the team's calendar (weekdays 09:00-17:30).
FRIDAY_EVENING = uk("2026-12-04T19:00")
MONDAY_OPENING = uk("2026-12-07T09:00")


@pytest.fixture
def held(team):
    ticket = report(team, FRIDAY_EVENING, site_down="no", affects_half="no")
    assert ticket.status == Ticket.Status.HELD
    assert ticket.release_at == MONDAY_OPENING
    return ticket


def notices() -> list[NotificationAttempt]:
    return list(NotificationAttempt.objects.filter(purpose=NotificationAttempt.Purpose.NOTICE).select_related("member"))


def test_held_until_opening(held):
    run_once(MONDAY_OPENING - timedelta(microseconds=1))
    held.refresh_from_db()
    assert held.status == Ticket.Status.HELD
    assert notices() == []


def test_released_at_opening(held, alice, bob, charlie):
    run_once(MONDAY_OPENING)
    held.refresh_from_db()
    assert held.status == Ticket.Status.OPEN
    assert sorted(attempt.member.name for attempt in notices()) == ["Alice", "Bob", "Charlie"]
    assert all(attempt.due_at == MONDAY_OPENING for attempt in notices())
    shown = DemoPhoneMessage.objects.filter(member=alice).get()
    assert shown.title == f"{held.ref} is in the working queue"
    assert shown.urgent is False


def test_release_pages_nobody(held):
    run_once(MONDAY_OPENING)
    run_once(MONDAY_OPENING + timedelta(hours=1))
    assert Page.objects.count() == 0
    assert not NotificationAttempt.objects.exclude(purpose=NotificationAttempt.Purpose.NOTICE).exists()
    assert not DemoPhoneMessage.objects.filter(urgent=True).exists()


def test_released_once(held):
    run_once(MONDAY_OPENING)
    first = len(notices())
    assert release_held_tickets(MONDAY_OPENING + timedelta(minutes=1)) == 0
    run_once(MONDAY_OPENING + timedelta(minutes=2))
    assert len(notices()) == first == 3


def test_late_engine_still_releases(held):
    # An engine that was down over the opening releases the ticket when it comes back.
    run_once(uk("2026-12-07T18:00"))
    held.refresh_from_db()
    assert held.status == Ticket.Status.OPEN


def test_notice_in_member_zone(held, bob):
    bob.time_zone = "America/New_York"
    bob.save()
    run_once(MONDAY_OPENING)
    bodies = {attempt.member.name: attempt.body for attempt in notices()}
    assert "received at 19:00 on Friday 4 December 2026 (UK time)" in bodies["Alice"]
    assert "received at 14:00 on Friday 4 December 2026 (America/New_York)" in bodies["Bob"]
    assert held.summary in bodies["Bob"]


def test_notice_waits_for_member_hours(held, alice, calendar):
    from oohdesk.hours.models import BusinessCalendar, OpeningInterval

    afternoons = BusinessCalendar.objects.create(slug="afternoons", name="Afternoons", time_zone="Europe/London")
    OpeningInterval.objects.create(calendar=afternoons, weekday=0, opens="13:00", closes="17:00")
    alice.calendar = afternoons
    alice.save()
    run_once(MONDAY_OPENING)
    due = {attempt.member.name: attempt.due_at for attempt in notices()}
    assert due["Alice"] == uk("2026-12-07T13:00")
    assert due["Bob"] == MONDAY_OPENING


def test_release_signals_change(held, django_capture_on_commit_callbacks):
    seen = []

    def receiver(sender, ticket, change, at, **kwargs):
        seen.append((ticket.ref, change, at))

    ticket_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run_once(MONDAY_OPENING)
    finally:
        ticket_changed.disconnect(receiver)
    assert seen == [(held.ref, "released", MONDAY_OPENING)]


def test_status_page_before_and_after(held):
    client = Client()
    url = f"/status/{links.status_token(held.ref)}/"
    before = client.get(url).content.decode()
    assert "09:00 on Monday 7 December 2026 (UK time)" in before
    run_once(MONDAY_OPENING)
    after = client.get(url).content.decode()
    assert "Held until working hours" not in after


def test_closure_added_later_moves_release(held, calendar):
    Closure.objects.create(calendar=calendar, name="Staff day", first_day=date(2026, 12, 7), last_day=date(2026, 12, 7))
    run_once(MONDAY_OPENING)
    held.refresh_from_db()
    assert held.status == Ticket.Status.HELD
    assert held.release_at == uk("2026-12-08T09:00")
    assert notices() == []
    run_once(uk("2026-12-08T09:00"))
    held.refresh_from_db()
    assert held.status == Ticket.Status.OPEN


def test_engine_tick_releases(held):
    engine = Engine(workers=1)
    with time_machine.travel(MONDAY_OPENING, tick=False), ThreadPoolExecutor(max_workers=1) as pool:
        engine.tick(pool)
    held.refresh_from_db()
    assert held.status == Ticket.Status.OPEN
    assert len(notices()) == 3


def test_member_without_contact_still_released(held, alice):
    alice.contact_methods.all().delete()
    run_once(MONDAY_OPENING)
    held.refresh_from_db()
    assert held.status == Ticket.Status.OPEN
    assert sorted(attempt.member.name for attempt in notices()) == ["Bob", "Charlie"]


@pytest.mark.django_db(transaction=True)
def test_two_engines_release_once(team):
    make_member("dora")
    tickets = [report(team, FRIDAY_EVENING, site_down="no", affects_half="no") for _ in range(5)]
    start = threading.Barrier(2)
    counts = []

    def engine():
        try:
            start.wait()
            counts.append(release_held_tickets(MONDAY_OPENING))
        finally:
            connection.close()

    threads = [threading.Thread(target=engine) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == len(tickets)
    assert Ticket.objects.filter(status=Ticket.Status.OPEN).count() == len(tickets)
    assert len(notices()) == 3 * len(tickets)
