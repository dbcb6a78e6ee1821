"""Helpers that file Issue Reports the way the form does, at a chosen time."""

from oohdesk.tickets.forms import IssueReportForm
from oohdesk.tickets.intake import accept_report
from oohdesk.tickets.models import Ticket

GOOD_REPORT = {
    "reporter_name": "Dana Customer",
    "reporter_email": "dana@client.example",
    "reporter_phone": "020 7946 0000",
    "organisation": "Acme Widgets",
    "site": "https://shop.acme.example",
    "summary": "Checkout fails with an error",
    "description": "Every payment attempt shows a 500 error since 21:40.",
}


def report(team, at, site_down="yes", affects_half="yes", **fields) -> Ticket:
    form = IssueReportForm(data={**GOOD_REPORT, "site_down": site_down, "affects_half": affects_half, **fields})
    assert form.is_valid(), form.errors
    return accept_report(form, team, at, source=Ticket.Source.FORM).ticket
