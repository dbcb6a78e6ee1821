from datetime import timedelta

import pytest

from conftest import make_member, utc
from oohdesk.paging.engine import run_once
from oohdesk.paging.escalation import acknowledge, escalate_due_pages
from oohdesk.paging.models import DemoPhoneMessage, NotificationAttempt, Page, PageEvent
from reports import report

# Wednesday 9 December 2026 at 23:00 GMT: alice's week (weeks since 5 January are even).
NIGHT = utc(2026, 12, 9, 23, 0)
P1_TIMEOUT = timedelta(minutes=5)


def phoned(member):
    return DemoPhoneMessage.objects.filter(member=member).count()


@pytest.mark.django_db
def test_urgent_report_pages_on_call(team, alice, bob):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    assert ticket.page.status == Page.Status.TRIGGERED
    assert phoned(alice) == 1
    assert phoned(bob) == 0


@pytest.mark.django_db
def test_normal_report_pages_nobody(team):
    ticket = report(team, NIGHT, site_down="no", affects_half="no")
    run_once(NIGHT)
    assert not Page.objects.filter(ticket=ticket).exists()
    assert NotificationAttempt.objects.count() == 0
    assert ticket.release_at == utc(2026, 12, 10, 9, 0)


@pytest.mark.django_db
def test_no_escalation_before_timeout(team, bob):
    report(team, NIGHT)
    run_once(NIGHT)
    assert escalate_due_pages(NIGHT + P1_TIMEOUT - timedelta(seconds=1)) == 0
    run_once(NIGHT + P1_TIMEOUT - timedelta(seconds=1))
    assert phoned(bob) == 0


@pytest.mark.django_db
def test_escalates_to_next_in_rota(team, bob):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    run_once(NIGHT + P1_TIMEOUT)
    ticket.page.refresh_from_db()
    assert ticket.page.step_index == 1
    assert phoned(bob) == 1


@pytest.mark.django_db
def test_p2_waits_longer(team, bob):
    ticket = report(team, NIGHT, affects_half="no")
    run_once(NIGHT + P1_TIMEOUT)
    assert phoned(bob) == 0
    run_once(NIGHT + timedelta(minutes=15))
    assert phoned(bob) == 1
    assert ticket.priority == "P2"


@pytest.mark.django_db
def test_escalates_to_lead_then_repeats_then_admins(team, alice, bob, charlie):
    ticket = report(team, NIGHT)
    for step in range(7):
        run_once(NIGHT + step * P1_TIMEOUT)
    page = Page.objects.get(ticket=ticket)
    # Round one: alice, bob, charlie; round two (repeat_count=1): alice, bob, charlie; then admins.
    assert phoned(alice) == 2
    assert phoned(bob) == 2
    assert phoned(charlie) == 3
    assert page.admins_alerted_at == NIGHT + 6 * P1_TIMEOUT
    assert page.step_due_at is None
    assert page.status == Page.Status.TRIGGERED


@pytest.mark.django_db
def test_acknowledge_stops_everything(team, alice, bob):
    alice.contact_methods.create(kind="demo_phone", position=1, delay_seconds=120)
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    result = acknowledge(ticket.page.id, NIGHT + timedelta(seconds=30), alice, via="test")
    assert result.accepted
    run_once(NIGHT + timedelta(hours=2))
    assert phoned(alice) == 1
    assert phoned(bob) == 0
    assert NotificationAttempt.objects.filter(status="cancelled").count() == 1
    assert Page.objects.get(id=ticket.page.id).step_due_at is None


@pytest.mark.django_db
def test_late_acknowledgement_accepted(team, alice, charlie):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    run_once(NIGHT + P1_TIMEOUT)
    result = acknowledge(ticket.page.id, NIGHT + P1_TIMEOUT + timedelta(seconds=5), alice, via="test")
    assert result.accepted
    run_once(NIGHT + 3 * P1_TIMEOUT)
    assert phoned(charlie) == 0
    assert Page.objects.get(id=ticket.page.id).acknowledged_by == alice


@pytest.mark.django_db
def test_acknowledging_resolved_page_changes_nothing(team, alice):
    ticket = report(team, NIGHT)
    Page.objects.filter(id=ticket.page.id).update(status=Page.Status.RESOLVED)
    result = acknowledge(ticket.page.id, NIGHT, alice, via="test")
    page = Page.objects.get(id=ticket.page.id)
    assert not result.accepted
    assert page.status == Page.Status.RESOLVED
    assert page.acknowledged_at is None


@pytest.mark.django_db
def test_second_acknowledgement_ignored(team, alice, bob):
    ticket = report(team, NIGHT)
    acknowledge(ticket.page.id, NIGHT, alice, via="test")
    result = acknowledge(ticket.page.id, NIGHT + timedelta(seconds=1), bob, via="test")
    assert not result.accepted
    assert Page.objects.get(id=ticket.page.id).acknowledged_by == alice


@pytest.mark.django_db
def test_unreachable_step_fails_at_once(team, alice, bob):
    alice.contact_methods.all().delete()
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    page = Page.objects.get(id=ticket.page.id)
    assert page.step_index == 1
    assert phoned(bob) == 1
    assert page.step_due_at == NIGHT + P1_TIMEOUT
    assert page.events.filter(kind=PageEvent.Kind.STEP_FAILED).count() == 1


@pytest.mark.django_db
def test_nobody_reachable_alerts_admins_at_once(team, alice, bob, charlie):
    for member in (alice, bob, charlie):
        member.contact_methods.all().delete()
    admin = make_member("dora", is_admin=True)
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    page = Page.objects.get(id=ticket.page.id)
    assert page.admins_alerted_at == NIGHT
    assert DemoPhoneMessage.objects.filter(member=admin, urgent=True).count() == 1
    # One normal-priority notice per member who could not be reached.
    assert DemoPhoneMessage.objects.filter(member=admin, urgent=False).count() == 3


@pytest.mark.django_db
def test_delayed_contact_method_waits(team, alice):
    alice.contact_methods.create(kind="email", position=1, delay_seconds=120)
    report(team, NIGHT)
    run_once(NIGHT + timedelta(seconds=119))
    assert NotificationAttempt.objects.filter(channel="email", status="pending").count() == 1
    run_once(NIGHT + timedelta(seconds=120))
    assert NotificationAttempt.objects.filter(channel="email", status="sent").count() == 1


@pytest.mark.django_db
def test_page_timeline_records_steps(team):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    run_once(NIGHT + P1_TIMEOUT)
    kinds = list(ticket.page.events.values_list("kind", flat=True))
    assert kinds[:2] == [PageEvent.Kind.TRIGGERED, PageEvent.Kind.STEP_STARTED]
    assert PageEvent.Kind.ESCALATED in kinds
    assert kinds.count(PageEvent.Kind.NOTIFIED) == 2


@pytest.mark.django_db(transaction=True)
def test_acknowledge_signals_ticket_change(team, alice):
    from oohdesk.tickets.signals import ticket_changed

    received = []

    def listener(sender, ticket, change, at, **kwargs):
        received.append((ticket.ref, change, at))

    ticket_changed.connect(listener)
    try:
        ticket = report(team, NIGHT)
        acknowledge(ticket.page.id, NIGHT, alice, via="test")
    finally:
        ticket_changed.disconnect(listener)
    assert received == [(ticket.ref, "acknowledged", NIGHT)]
