"""Unknown reporters: accepted and paged, marked unverified, and held to an hourly page limit."""

from datetime import timedelta

import pytest

from conftest import utc
from oohdesk.intake.models import KnownContact, KnownDomain, KnownOrganisation
from oohdesk.paging.escalation import acknowledge
from oohdesk.paging.models import Page, PageEvent
from oohdesk.tickets import status
from oohdesk.tickets.models import Ticket
from reports import report

# Saturday 10 January 2026 03:00 UK time: out of hours, Alice's first week on call.
NIGHT = utc(2026, 1, 10, 3, 0)


def later(minutes: int):
    return NIGHT + timedelta(minutes=minutes)


@pytest.fixture
def acme(db):
    organisation = KnownOrganisation.objects.create(name="Acme Widgets Ltd")
    KnownDomain.objects.create(organisation=organisation, domain="@ACME.example")
    KnownContact.objects.create(organisation=organisation, name="Dana Customer", email="Dana@Client.example")
    return organisation


def flood(team, count: int, start: int = 0, **fields) -> list[Ticket]:
    """File ``count`` urgent reports a minute apart, each about a different site, so none is a duplicate."""
    return [
        report(team, later(start + index), site=f"https://site{start + index}.example", **fields)
        for index in range(count)
    ]


@pytest.mark.django_db
def test_unknown_reporter_pages_unverified(team):
    ticket = report(team, NIGHT)
    assert ticket.verified is False
    assert ticket.page.status == Page.Status.TRIGGERED


@pytest.mark.django_db
def test_known_contact_verified(team, acme):
    ticket = report(team, NIGHT, reporter_email="dana@client.example", organisation="acme")
    assert ticket.verified is True
    assert ticket.organisation == "Acme Widgets Ltd"


@pytest.mark.django_db
def test_known_domain_verified(team, acme):
    ticket = report(team, NIGHT, reporter_email="ops@acme.example")
    assert ticket.verified is True
    assert ticket.organisation == "Acme Widgets Ltd"


@pytest.mark.django_db
def test_address_limit_holds_back_page(team, settings):
    settings.OOHDESK_UNVERIFIED_PAGES_PER_ADDRESS = 3
    first, *_rest = flood(team, 3)
    over = report(team, later(10), site="https://another.example")
    assert Page.objects.count() == 3
    assert over.paging_limited is True
    assert not Page.objects.filter(ticket=over).exists()
    linked = PageEvent.objects.get(kind=PageEvent.Kind.REPORT_LINKED)
    assert over.ref in linked.message
    # The newest open page from the same address carries the news.
    assert linked.page.ticket.site == "https://site2.example"
    assert "several urgent reports" in status.next_steps(over)


@pytest.mark.django_db
def test_organisation_limit(team, settings):
    settings.OOHDESK_UNVERIFIED_PAGES_PER_ADDRESS = 10
    settings.OOHDESK_UNVERIFIED_PAGES_PER_ORGANISATION = 2
    for index in range(2):
        report(team, later(index), site=f"https://s{index}.example", reporter_email=f"person{index}@client.example")
    over = report(team, later(5), site="https://s9.example", reporter_email="someone.else@client.example", organisation="acme widgets")
    assert over.paging_limited is True
    assert Page.objects.count() == 2


@pytest.mark.django_db
def test_limit_counts_the_last_hour(team, settings):
    settings.OOHDESK_UNVERIFIED_PAGES_PER_ADDRESS = 2
    flood(team, 2)
    after_an_hour = report(team, later(61), site="https://fresh.example")
    assert after_an_hour.paging_limited is False
    assert Page.objects.filter(ticket=after_an_hour).exists()


@pytest.mark.django_db
def test_over_limit_pages_when_nothing_open(team, settings, alice):
    settings.OOHDESK_UNVERIFIED_PAGES_PER_ADDRESS = 2
    for ticket in flood(team, 2):
        Page.objects.filter(ticket=ticket).update(status=Page.Status.RESOLVED)
    over = report(team, later(5), site="https://third.example")
    assert over.paging_limited is False
    assert Page.objects.filter(ticket=over).exists()


@pytest.mark.django_db
def test_acknowledged_page_still_counts_as_open(team, settings, alice):
    settings.OOHDESK_UNVERIFIED_PAGES_PER_ADDRESS = 2
    tickets = flood(team, 2)
    for ticket in tickets:
        acknowledge(ticket.page.id, later(3), alice, via="test")
    over = report(team, later(5), site="https://third.example")
    assert over.paging_limited is True


@pytest.mark.django_db
def test_verified_reporters_never_limited(team, acme, settings):
    settings.OOHDESK_UNVERIFIED_PAGES_PER_ADDRESS = 1
    settings.OOHDESK_UNVERIFIED_PAGES_PER_ORGANISATION = 1
    tickets = flood(team, 4, reporter_email="dana@client.example")
    assert all(ticket.verified for ticket in tickets)
    assert Page.objects.count() == 4


@pytest.mark.django_db
def test_normal_reports_not_counted(team, settings):
    settings.OOHDESK_UNVERIFIED_PAGES_PER_ADDRESS = 1
    report(team, NIGHT, site_down="no", affects_half="no")
    urgent = report(team, later(1), site="https://other.example")
    assert urgent.paging_limited is False
    assert Page.objects.count() == 1
