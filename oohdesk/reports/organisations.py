"""Per customer organisation: urgent reports, and the shares judged not genuine and deferred.

An urgent report is one the customer's own answers made P1 or P2, whatever a
developer changed later. Shares are of the urgent reports received in the
period; reports not judged yet count as neither genuine nor not genuine.
Drill tickets never count.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from oohdesk.reports.figures import Period
from oohdesk.tickets import misuse
from oohdesk.tickets.models import Ticket


@dataclass
class OrganisationRow:
    organisation: str
    urgent_reports: int = 0
    not_genuine: int = 0
    not_judged: int = 0
    deferred: int = 0
    flagged: bool = False

    @property
    def not_genuine_share(self) -> float | None:
        return self.not_genuine / self.urgent_reports if self.urgent_reports else None

    @property
    def deferred_share(self) -> float | None:
        return self.deferred / self.urgent_reports if self.urgent_reports else None


def organisation_rows(period: Period, flagged_at: datetime) -> list[OrganisationRow]:
    """Return one row per organisation with urgent reports in the period, most urgent reports first.

    ``flagged`` says whether the organisation is over the misuse limit at ``flagged_at``.
    """
    tickets = Ticket.objects.filter(
        Q(site_down=True) | Q(affects_half=True),
        received_at__gte=period.start,
        received_at__lt=period.end,
        is_drill=False,
    ).order_by("received_at")
    rows: dict[str, OrganisationRow] = {}
    for ticket in tickets.only("organisation", "genuine", "deferred_at"):
        name = misuse.normalise(ticket.organisation)
        row = rows.setdefault(name.casefold(), OrganisationRow(organisation=name))
        row.urgent_reports += 1
        row.not_genuine += ticket.genuine is False
        row.not_judged += ticket.genuine is None
        row.deferred += ticket.deferred_at is not None
    for row in rows.values():
        row.flagged = misuse.is_flagged(row.organisation, flagged_at)
    return sorted(rows.values(), key=lambda row: (-row.urgent_reports, row.organisation.casefold()))
