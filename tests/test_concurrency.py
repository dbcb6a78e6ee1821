"""Two identical requests at the same moment make one ticket, held by database constraints.

Each test starts two threads that wait at a barrier and then send their
request together, each on its own database connection. On PostgreSQL both
transactions really overlap and the unique index decides; SQLite takes the
write lock at BEGIN, so there the second waits and finds the first.
"""

import json
import threading

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from oohdesk.intake.models import WebhookDelivery
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import Page
from oohdesk.tickets.models import Ticket
from reports import GOOD_REPORT, report
from webhooks import INTERCOM_SECRET, intercom_headers, intercom_ticket, raw

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*calls) -> list:
    """Run each call on its own thread, released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_same_idempotency_key_one_ticket(team):
    def send():
        response = Client().post(
            "/api/v1/tickets",
            json.dumps({**GOOD_REPORT, "site_down": True, "affects_half": True}),
            content_type="application/json",
            headers={"Idempotency-Key": "helpdesk-991"},
        )
        return response.status_code, response.json()["ref"]

    first, second = at_once(send, send)
    assert Ticket.objects.count() == 1
    assert Page.objects.count() == 1
    assert sorted([first[0], second[0]]) == [200, 201]
    assert first[1] == second[1]


def test_same_notification_one_delivery(team, settings):
    settings.OOHDESK_INTERCOM_CLIENT_SECRET = INTERCOM_SECRET
    body = raw(intercom_ticket(notification_id="notif_race"))

    def send():
        response = Client().post("/intake/intercom", body, content_type="application/json", headers=intercom_headers(body))
        return response.status_code, response.json()["status"]

    results = at_once(send, send)
    assert sorted(results) == [(200, "already received"), (200, "received")]
    assert WebhookDelivery.objects.count() == 1
    run_once()
    assert Ticket.objects.count() == 1


def test_same_site_at_once_pages_once(team):
    def send(key):
        return lambda: report(team, timezone.now(), summary=f"Report {key}")

    first, second = at_once(send("a"), send("b"))
    assert Page.objects.count() == 1
    tickets = sorted([first, second], key=lambda ticket: ticket.duplicate_of_id or 0)
    assert tickets[0].duplicate_of is None
    assert tickets[1].duplicate_of_id == tickets[0].id
