import pytest

from conftest import utc
from fakes.fixtures import callbacks, ntfy, only_method  # noqa: F401
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import NotificationAttempt, Page
from oohdesk.paging.notices import queue_notice
from reports import report

NIGHT = utc(2026, 12, 9, 23, 0)
TOPIC = "alice-pages-7f3k2q"


@pytest.fixture
def alice_ntfy(team, alice, ntfy):
    only_method(alice, "ntfy", TOPIC)
    return TOPIC


def test_page_published_at_max_priority(db, team, ntfy, alice_ntfy):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    [message] = ntfy.published
    assert message["topic"] == TOPIC
    assert message["priority"] == 5
    assert ticket.ref in message["title"]
    [action] = message["actions"]
    assert action["action"] == "http"
    assert action["label"] == "Acknowledge"
    assert action["method"] == "POST"
    assert "/ack-action/" in action["url"]
    assert NotificationAttempt.objects.get().provider_id == message["id"]


def test_notice_published_at_default_priority(db, team, alice, ntfy, alice_ntfy):
    queue_notice(alice, "Weekly summary", "Two pages.", utc(2026, 12, 9, 10, 0))
    run_once(utc(2026, 12, 9, 10, 0))
    [message] = ntfy.published
    assert message["priority"] == 3
    assert "actions" not in message


def test_action_button_acknowledges(transactional_db, team, ntfy, alice_ntfy, callbacks):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    answer = ntfy.press(ntfy.published[0], "Acknowledge")
    assert answer.status_code == 200
    page = Page.objects.get(ticket=ticket)
    assert page.status == Page.Status.ACKNOWLEDGED
    assert page.acknowledged_via == "ntfy"


def test_forged_action_rejected(db, team, ntfy, alice_ntfy, client):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    assert client.post("/ack-action/not-a-token/").status_code == 404
    assert client.get(ntfy.published[0]["actions"][0]["url"].split("127.0.0.1:8000")[-1]).status_code == 405
    assert Page.objects.get(ticket=ticket).status == Page.Status.TRIGGERED


def test_refused_token_not_blamed_on_member(db, team, alice, ntfy, alice_ntfy, settings):
    settings.OOHDESK_NTFY_TOKEN = "tk_wrong"
    report(team, NIGHT)
    run_once(NIGHT)
    assert alice.contact_methods.get().broken_at is None
    attempt = NotificationAttempt.objects.get(member=alice)
    assert attempt.status == "failed"
    assert "OOHDESK_NTFY_TOKEN" in attempt.error
