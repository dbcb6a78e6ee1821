from conftest import utc
from fakes.fixtures import only_method, pushover, pushover_user  # noqa: F401
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import NotificationAttempt
from oohdesk.tickets.signals import ticket_changed
from reports import report

NIGHT = utc(2026, 12, 9, 23, 0)


def test_resolved_ticket_stops_notifications(db, team, alice, pushover):
    only_method(alice, "pushover", pushover_user(pushover))
    alice.contact_methods.create(kind="demo_phone", position=1, delay_seconds=600)
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    page = ticket.page
    page.status = "resolved"
    page.save()
    ticket_changed.send(sender=type(ticket), ticket=ticket, change="resolved", at=NIGHT)
    run_once(NIGHT)
    assert NotificationAttempt.objects.get(channel="demo_phone").status == "cancelled"
    assert pushover.receipts[pushover.messages[0]["receipt"]]["cancelled"] is True
