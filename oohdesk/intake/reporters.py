"""Who reported: a known customer contact is verified; anyone else is accepted as unverified.

An unverified urgent report pages like any other, because a genuine emergency
from a new contact must not wait for an admin. What stops a flood is an hourly
limit on pages from unverified reports, counted per email address and per
organisation. A report over the limit is stored and added to the timeline of an
open page from the same address or organisation, so the developer already
handling that flood sees it. When no such page is still open, the report pages
anyway: nobody is then looking at the earlier ones.

Verification trusts the address a report gives; it proves nothing about who
sent it. It says "this address belongs to a customer we know", not more.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from oohdesk.intake.models import KnownContact, KnownDomain
from oohdesk.paging.models import Page
from oohdesk.tickets.models import Ticket

logger = logging.getLogger(__name__)

LIMIT_PERIOD = timedelta(hours=1)


@dataclass(frozen=True)
class Reporter:
    verified: bool
    organisation: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def organisation_key(name: str) -> str:
    """Return a comparable form of an organisation name: case, punctuation and spacing ignored."""
    return " ".join(re.sub(r"[^\w\s]", " ", name.casefold()).split())


def identify(email: str, organisation: str) -> Reporter:
    """Return whether ``email`` belongs to a known customer, and the organisation to file the report under.

    A known contact or domain gives its organisation's own name, so reports
    from one customer are grouped however the reporter typed it.
    """
    address = normalise_email(email)
    if address:
        contact = KnownContact.objects.select_related("organisation").filter(email=address).first()
        if contact:
            return Reporter(verified=True, organisation=contact.organisation.name)
        domain = address.rpartition("@")[2]
        known = KnownDomain.objects.select_related("organisation").filter(domain=domain).first()
        if known:
            return Reporter(verified=True, organisation=known.organisation.name)
    return Reporter(verified=False, organisation=organisation.strip())


@dataclass(frozen=True)
class PageLimit:
    """The outcome of the hourly limit for one unverified urgent report."""

    reached: bool
    open_page: Page | None

    @property
    def holds_back_page(self) -> bool:
        return self.reached and self.open_page is not None


def check_page_limit(email: str, organisation: str, at: datetime) -> PageLimit:
    """Count the pages unverified reports from this address and organisation opened in the hour before ``at``."""
    address = normalise_email(email)
    org = organisation_key(organisation)
    # Plain rows rather than model instances: in a flood of reports, this hour contains thousands.
    recent = Ticket.objects.filter(
        verified=False, is_drill=False, page__created_at__gt=at - LIMIT_PERIOD, page__created_at__lte=at
    ).values_list("reporter_email", "organisation", "page__id", "page__status")
    by_address = []
    by_organisation = []
    for reporter_email, ticket_organisation, page_id, page_status in recent:
        if address and normalise_email(reporter_email) == address:
            by_address.append((page_id, page_status))
        if org and organisation_key(ticket_organisation) == org:
            by_organisation.append((page_id, page_status))
    reached = (
        len(by_address) >= settings.OOHDESK_UNVERIFIED_PAGES_PER_ADDRESS
        or len(by_organisation) >= settings.OOHDESK_UNVERIFIED_PAGES_PER_ORGANISATION
    )
    if not reached:
        return PageLimit(reached=False, open_page=None)
    open_statuses = (Page.Status.TRIGGERED, Page.Status.ACKNOWLEDGED)
    open_ids = {page_id for page_id, status in by_address + by_organisation if status in open_statuses}
    if not open_ids:
        logger.warning("unverified page limit reached but no page is open; paging anyway organisation=%r", organisation)
        return PageLimit(reached=True, open_page=None)
    return PageLimit(reached=True, open_page=Page.objects.filter(id__in=open_ids).order_by("-created_at", "-id").first())
