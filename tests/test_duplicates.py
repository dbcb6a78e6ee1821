"""Duplicates and resubmissions: a second report about the same site links to the open ticket and never pages twice."""

from datetime import timedelta

import pytest

from conftest import utc
from oohdesk.intake.duplicates import site_key
from oohdesk.paging.engine import run_once
from oohdesk.paging.escalation import acknowledge
from oohdesk.paging.models import DemoPhoneMessage, NotificationAttempt, Page, PageEvent
from oohdesk.tickets import status
from oohdesk.tickets.models import Ticket
from reports import report

# Saturday 10 January 2026 03:00 UK time: out of hours, Alice's first week on call.
NIGHT = utc(2026, 1, 10, 3, 0)


def later(minutes: int):
    return NIGHT + timedelta(minutes=minutes)


def repages() -> list[NotificationAttempt]:
    return list(NotificationAttempt.objects.filter(purpose=NotificationAttempt.Purpose.REPAGE))


@pytest.mark.parametrize(
    "site, key",
    [
        ("https://shop.acme.example", "shop.acme.example"),
        ("https://www.shop.acme.example/checkout?step=2", "shop.acme.example"),
        ("SHOP.ACME.EXAMPLE", "shop.acme.example"),
        ("shop.acme.example:8443/admin", "shop.acme.example"),
        ("The members' app", "the members' app"),
        ("  ", ""),
    ],
)
def test_site_key(site, key):
    assert site_key(site) == key


@pytest.mark.django_db
def test_second_report_linked_not_paged(team):
    first = report(team, NIGHT)
    second = report(team, later(10), summary="Still cannot pay")
    assert second.duplicate_of == first
    assert Page.objects.count() == 1
    assert not Page.objects.filter(ticket=second).exists()
    assert first.ref in status.next_steps(second)
    assert PageEvent.objects.filter(page=first.page, kind=PageEvent.Kind.REPORT_LINKED).exists()


@pytest.mark.django_db
def test_same_site_written_differently(team):
    first = report(team, NIGHT, site="https://shop.acme.example")
    second = report(team, later(1), site="www.shop.acme.example/basket", organisation="ACME WIDGETS.")
    assert second.duplicate_of == first
    assert Page.objects.count() == 1


@pytest.mark.django_db
def test_other_site_pages(team):
    report(team, NIGHT)
    other = report(team, later(1), site="https://blog.acme.example")
    assert other.duplicate_of is None
    assert Page.objects.count() == 2


@pytest.mark.django_db
def test_other_organisation_pages(team):
    report(team, NIGHT)
    other = report(team, later(1), organisation="Bramble Books", reporter_email="ola@bramble.example")
    assert other.duplicate_of is None
    assert Page.objects.count() == 2


@pytest.mark.django_db
def test_after_window_pages_again(team):
    first = report(team, NIGHT)
    second = report(team, later(61))
    assert second.duplicate_of is None
    assert Page.objects.count() == 2
    first.refresh_from_db()
    assert first.duplicate_key is None
    assert second.duplicate_key is not None
    third = report(team, later(70))
    assert third.duplicate_of == second


@pytest.mark.django_db
def test_window_setting(team, settings):
    settings.OOHDESK_DUPLICATE_WINDOW_MINUTES = 5
    report(team, NIGHT)
    assert report(team, later(4)).duplicate_of is not None
    assert report(team, later(6)).duplicate_of is None


@pytest.mark.django_db
def test_window_zero_turns_linking_off(team, settings):
    settings.OOHDESK_DUPLICATE_WINDOW_MINUTES = 0
    report(team, NIGHT)
    assert report(team, later(1)).duplicate_of is None
    assert Page.objects.count() == 2


@pytest.mark.django_db
def test_resolved_ticket_not_linked(team):
    first = report(team, NIGHT)
    Ticket.objects.filter(pk=first.pk).update(status=Ticket.Status.RESOLVED)
    second = report(team, later(5))
    assert second.duplicate_of is None
    assert Page.objects.filter(ticket=second).exists()


@pytest.mark.django_db
def test_higher_severity_raises_and_repages(team, alice):
    first = report(team, NIGHT, affects_half="no")
    run_once(NIGHT)
    assert first.page.step_due_at == later(15)

    second = report(team, later(2))
    first.refresh_from_db()
    page = first.page
    page.refresh_from_db()
    assert second.duplicate_of == first
    assert first.priority == "P1"
    assert (page.step_index, page.round) == (0, 0)
    # The step started at NIGHT: the P1 timeout of 5 minutes counts from then, not from the raise.
    assert page.step_due_at == later(5)
    assert [attempt.member for attempt in repages()] == [alice]
    assert PageEvent.objects.filter(page=page, kind=PageEvent.Kind.PRIORITY_RAISED).exists()

    run_once(later(2))
    titles = list(DemoPhoneMessage.objects.filter(member=alice).values_list("title", flat=True))
    assert any(title.startswith(f"Priority raised [P1] {first.ref}") for title in titles)


@pytest.mark.django_db
def test_raise_does_not_restart_escalation(team, bob):
    first = report(team, NIGHT, affects_half="no")
    run_once(NIGHT)
    report(team, later(6))
    run_once(later(6))
    page = Page.objects.get(ticket=first)
    # The shortened first step was already over, so escalation moved on to Bob.
    assert page.step_index == 1
    assert DemoPhoneMessage.objects.filter(member=bob, page=page).exists()


@pytest.mark.django_db
def test_lower_severity_never_lowers(team):
    first = report(team, NIGHT)
    report(team, later(1), site_down="no", affects_half="no")
    first.refresh_from_db()
    assert first.priority == "P1"
    assert repages() == []
    assert Page.objects.count() == 1


@pytest.mark.django_db
def test_same_severity_no_repage(team):
    report(team, NIGHT)
    report(team, later(1))
    assert repages() == []


@pytest.mark.django_db
def test_held_p3_raised_opens_page(team, alice):
    first = report(team, NIGHT, site_down="no", affects_half="no")
    assert first.status == Ticket.Status.HELD
    report(team, later(3), affects_half="no")
    first.refresh_from_db()
    assert first.priority == "P2"
    assert first.status == Ticket.Status.OPEN
    assert first.release_at is None
    assert first.page.status == Page.Status.TRIGGERED
    run_once(later(3))
    assert DemoPhoneMessage.objects.filter(member=alice, page=first.page, urgent=True).exists()


@pytest.mark.django_db
def test_acknowledged_page_repages_acknowledger(team, alice, bob):
    first = report(team, NIGHT, affects_half="no")
    run_once(NIGHT)
    acknowledge(first.page.id, later(1), bob, via="test")
    report(team, later(4))
    [repage] = repages()
    assert repage.member == bob
    run_once(later(4))
    repage.refresh_from_db()
    assert repage.status == NotificationAttempt.Status.SENT
    page = Page.objects.get(ticket=first)
    assert page.status == Page.Status.ACKNOWLEDGED
