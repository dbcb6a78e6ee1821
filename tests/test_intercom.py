"""Intercom: signed notifications become tickets that page like the form's, and replies go back to the thread.

Notifications are posted to the app through Django's test client; replies
and contact look-ups go to a fake Intercom API on 127.0.0.1.
"""

from datetime import timedelta

import pytest

from conftest import utc
from fake_intercom import FakeIntercom
from oohdesk.intake.models import CustomerMessage, HelpdeskLink, WebhookDelivery
from oohdesk.paging.engine import run_once
from oohdesk.paging.escalation import acknowledge
from oohdesk.paging.models import DemoPhoneMessage, NotificationAttempt, Page
from oohdesk.tickets.models import Ticket
from oohdesk.tickets.signals import ticket_changed
from webhooks import INTERCOM_SECRET, fixture, intercom_conversation, intercom_headers, intercom_ticket, raw

# Saturday 10 January 2026 03:00 UK time: out of hours, Alice's first week on call.
NIGHT = utc(2026, 1, 10, 3, 0)
NEXT_OPENING = "09:00 on Monday 12 January 2026 (UK time)"
CONTACT_ID = "6650f1a2b3c4d5e6f7a8b9c0"
URL = "/intake/intercom"


@pytest.fixture
def fake_intercom():
    with FakeIntercom() as server:
        server.contacts[CONTACT_ID] = fixture("intercom_contact.json")
        yield server


@pytest.fixture
def intercom_on(settings, fake_intercom):
    settings.OOHDESK_INTERCOM_CLIENT_SECRET = INTERCOM_SECRET
    settings.OOHDESK_INTERCOM_API_BASE_URL = fake_intercom.base_url
    settings.OOHDESK_INTERCOM_ACCESS_TOKEN = fake_intercom.token
    settings.OOHDESK_INTERCOM_ADMIN_ID = "814860"
    return fake_intercom


@pytest.fixture
def at_night(time_machine):
    time_machine.move_to(NIGHT, tick=False)


def post(client, payload: dict, headers: dict | None = None):
    body = raw(payload)
    return client.post(URL, data=body, content_type="application/json", headers=intercom_headers(body) if headers is None else headers)


def comments(server: FakeIntercom) -> list:
    return [request for request in server.replies() if request.body["message_type"] == "comment"]


def notes(server: FakeIntercom) -> list:
    return [request for request in server.replies() if request.body["message_type"] == "note"]


# Receiving


@pytest.mark.django_db
def test_ticket_created_pages_p1(client, team, alice, intercom_on, at_night):
    response = post(client, intercom_ticket())
    assert response.status_code == 200
    assert response.json()["status"] == "received"
    assert Ticket.objects.count() == 0  # filed afterwards, by the engine

    run_once(NIGHT)
    ticket = Ticket.objects.get()
    assert ticket.priority == "P1"
    assert ticket.source == Ticket.Source.INTERCOM
    assert ticket.summary == "Checkout page shows an error"
    assert ticket.site == "https://shop.harbourbakery.example"
    assert ticket.organisation == "Harbour Bakery Ltd"
    assert ticket.reporter_name == "Priya Sharma"
    assert ticket.reporter_email == "priya.sharma@harbourbakery.example"
    assert ticket.reporter_phone == "+44 20 7946 0321"
    assert "every order fails" in ticket.description
    assert ticket.page.status == Page.Status.TRIGGERED
    shown = DemoPhoneMessage.objects.get(member=alice)
    assert ticket.ref in shown.title
    assert shown.urgent is True
    link = HelpdeskLink.objects.get(ticket=ticket)
    assert (link.object_type, link.object_id) == ("ticket", "7301")
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PROCESSED


@pytest.mark.django_db
def test_contact_look_up_sends_headers(client, team, intercom_on, at_night):
    post(client, intercom_ticket())
    run_once(NIGHT)
    [look_up] = [request for request in intercom_on.requests if request.method == "GET"]
    assert look_up.path == f"/contacts/{CONTACT_ID}"
    assert look_up.headers["Authorization"] == f"Bearer {intercom_on.token}"
    assert look_up.headers["Intercom-Version"] == "2.11"


@pytest.mark.django_db
def test_bad_signature_401(client, team, intercom_on, at_night):
    body = raw(intercom_ticket())
    wrong = intercom_headers(body, secret="not-the-secret")
    response = client.post(URL, data=body, content_type="application/json", headers=wrong)
    assert response.status_code == 401
    assert "X-Hub-Signature" in response.json()["errors"]["signature"][0]
    assert WebhookDelivery.objects.count() == 0
    run_once(NIGHT)
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_missing_signature_401(client, team, intercom_on, at_night):
    response = post(client, intercom_ticket(), headers={})
    assert response.status_code == 401
    assert "Missing X-Hub-Signature" in response.json()["errors"]["signature"][0]
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_tampered_body_401(client, team, intercom_on, at_night):
    body = raw(intercom_ticket())
    headers = intercom_headers(body)
    tampered = body.replace(b"Harbour Bakery", b"Harbour Bakers")
    response = client.post(URL, data=tampered, content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_no_secret_503(client, team, settings):
    settings.OOHDESK_INTERCOM_CLIENT_SECRET = ""
    response = post(client, intercom_ticket())
    assert response.status_code == 503
    assert "OOHDESK_INTERCOM_CLIENT_SECRET" in response.json()["errors"]["configuration"][0]
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_get_not_allowed(client, intercom_on):
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_redelivery_one_ticket(client, team, intercom_on, at_night):
    first = post(client, intercom_ticket())
    again = post(client, intercom_ticket())
    assert again.status_code == 200
    assert again.json() == {"status": "already received", "delivery": first.json()["delivery"]}
    run_once(NIGHT)
    assert WebhookDelivery.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert Page.objects.count() == 1


@pytest.mark.django_db
def test_redelivery_after_processing_one_ticket(client, team, intercom_on, at_night):
    post(client, intercom_ticket())
    run_once(NIGHT)
    post(client, intercom_ticket())
    run_once(NIGHT)
    assert Ticket.objects.count() == 1
    assert len(comments(intercom_on)) == 1


@pytest.mark.django_db
def test_same_ticket_other_notification_one_ticket(client, team, intercom_on, at_night):
    post(client, intercom_ticket(notification_id="notif_a"))
    post(client, intercom_ticket(notification_id="notif_b", **{"_default_title_": "Checkout broken"}))
    run_once(NIGHT)
    assert WebhookDelivery.objects.count() == 2
    assert Ticket.objects.count() == 1
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDelivery.Status.PROCESSED}


@pytest.mark.django_db
def test_ping_answered(client, intercom_on):
    response = post(client, fixture("intercom_ping.json"))
    assert response.status_code == 200
    assert response.json() == {"status": "pong"}
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_other_topic_ignored(client, intercom_on):
    notification = intercom_ticket()
    notification["topic"] = "contact.user.created"
    response = post(client, notification)
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_other_ticket_type_ignored(client, team, intercom_on, at_night):
    notification = intercom_ticket()
    notification["data"]["item"]["ticket_type"]["name"] = "Billing question"
    post(client, notification)
    run_once(NIGHT)
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.IGNORED
    assert Ticket.objects.count() == 0
    assert intercom_on.replies() == []


@pytest.mark.django_db
def test_ticket_type_setting(client, team, intercom_on, settings, at_night):
    settings.OOHDESK_INTERCOM_TICKET_TYPES = ["Urgent problem"]
    notification = intercom_ticket()
    notification["data"]["item"]["ticket_type"]["name"] = "Urgent problem"
    post(client, notification)
    run_once(NIGHT)
    assert Ticket.objects.get().priority == "P1"


@pytest.mark.django_db
def test_attribute_name_settings(client, team, intercom_on, settings, at_night):
    settings.OOHDESK_INTERCOM_SITE_DOWN_ATTRIBUTE = "Down?"
    settings.OOHDESK_INTERCOM_AFFECTS_HALF_ATTRIBUTE = "Half?"
    post(client, intercom_ticket(**{"Site down": None, "Affects half of users": None, "Down?": "No", "Half?": "No"}))
    run_once(NIGHT)
    assert Ticket.objects.get().priority == "P3"


@pytest.mark.django_db
def test_conversation_created_p2(client, team, intercom_on, at_night):
    post(client, intercom_conversation())
    run_once(NIGHT)
    ticket = Ticket.objects.get()
    assert ticket.priority == "P2"
    assert ticket.summary == "Booking confirmations not sent"
    assert ticket.reporter_name == "Tomasz Nowak"
    assert ticket.reporter_email == "tomasz.nowak@lakesideclinic.example"
    assert ticket.organisation == "Lakeside Clinic"
    assert ticket.site == "https://book.lakesideclinic.example/appointments"
    assert ticket.page.status == Page.Status.TRIGGERED
    link = HelpdeskLink.objects.get(ticket=ticket)
    assert (link.object_type, link.object_id) == ("conversation", "215468203")
    [comment] = comments(intercom_on)
    assert comment.path == "/conversations/215468203/reply"


@pytest.mark.django_db
def test_ordinary_conversation_ignored(client, team, intercom_on, at_night):
    post(client, intercom_conversation(**{"Site down": None, "Affects half of users": None}))
    run_once(NIGHT)
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.IGNORED
    assert Ticket.objects.count() == 0


# Replies


@pytest.mark.django_db
def test_reply_has_reference_and_next_opening(client, team, intercom_on, at_night):
    post(client, intercom_ticket(**{"Site down": "No", "Affects half of users": False}))
    run_once(NIGHT)
    ticket = Ticket.objects.get()
    assert ticket.status == Ticket.Status.HELD
    [comment] = comments(intercom_on)
    assert comment.path == "/tickets/7301/reply"
    assert ticket.ref in comment.body["body"]
    assert NEXT_OPENING in comment.body["body"]
    assert comment.body["type"] == "admin"
    assert comment.body["admin_id"] == "814860"
    assert comment.headers["Intercom-Version"] == "2.11"
    assert comment.headers["Authorization"] == f"Bearer {intercom_on.token}"
    [note] = notes(intercom_on)
    assert ticket.ref in note.body["body"]
    assert "/status/" in note.body["body"]
    assert CustomerMessage.objects.filter(status=CustomerMessage.Status.SENT).count() == 2


@pytest.mark.django_db
def test_reply_says_paged_now(client, team, intercom_on, at_night):
    post(client, intercom_ticket())
    run_once(NIGHT)
    [comment] = comments(intercom_on)
    assert "on-call developer has been alerted" in comment.body["body"]
    [note] = notes(intercom_on)
    assert "has been paged" in note.body["body"]


@pytest.mark.django_db
def test_intercom_version_setting(client, team, intercom_on, settings, at_night):
    settings.OOHDESK_INTERCOM_VERSION = "2.14"
    post(client, intercom_ticket())
    run_once(NIGHT)
    assert {request.headers["Intercom-Version"] for request in intercom_on.requests} == {"2.14"}


@pytest.mark.django_db
def test_updates_on_ack_defer_resolve(client, team, alice, intercom_on, at_night, django_capture_on_commit_callbacks):
    alice.contact_methods.create(kind="email", address="alice.home@personal.example", position=1)
    post(client, intercom_ticket())
    run_once(NIGHT)
    ticket = Ticket.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        acknowledge(ticket.page.id, NIGHT + timedelta(minutes=2), alice, via="test")
    run_once(NIGHT + timedelta(minutes=2))
    assert "acknowledged your report" in comments(intercom_on)[-1].body["body"]

    ticket_changed.send(sender=Ticket, ticket=ticket, change="deferred", at=NIGHT + timedelta(minutes=5))
    run_once(NIGHT + timedelta(minutes=5))
    assert f"We will pick it up at {NEXT_OPENING}" in comments(intercom_on)[-1].body["body"]

    ticket_changed.send(sender=Ticket, ticket=ticket, change="resolved", at=NIGHT + timedelta(minutes=9))
    run_once(NIGHT + timedelta(minutes=9))
    assert "resolved" in comments(intercom_on)[-1].body["body"]
    assert len(comments(intercom_on)) == 4
    for request in intercom_on.replies():
        assert "alice" not in request.body["body"].lower()
        assert "020 7946" not in request.body["body"]


@pytest.mark.django_db
def test_reply_retried_when_intercom_down(client, team, intercom_on, at_night):
    intercom_on.reply_status = 503
    post(client, intercom_ticket())
    run_once(NIGHT)
    waiting = CustomerMessage.objects.filter(status=CustomerMessage.Status.PENDING)
    assert waiting.count() == 2
    assert all("503" in message.error for message in waiting)
    assert all(message.due_at > NIGHT for message in waiting)

    intercom_on.reply_status = None
    run_once(NIGHT + timedelta(minutes=5))
    assert CustomerMessage.objects.filter(status=CustomerMessage.Status.SENT).count() == 2


@pytest.mark.django_db
def test_reply_refused_fails_at_once(client, team, intercom_on, at_night):
    intercom_on.token = "a-rotated-token"
    post(client, intercom_ticket())
    run_once(NIGHT)
    assert Ticket.objects.count() == 1  # the look-up failed, but the report was still filed
    failed = CustomerMessage.objects.filter(status=CustomerMessage.Status.FAILED)
    assert failed.count() == 2
    assert "401" in failed.first().error
    assert failed.first().provider_response["type"] == "error.list"


@pytest.mark.django_db
def test_replies_off_emails_instead(client, team, settings, mailoutbox, at_night):
    settings.OOHDESK_INTERCOM_CLIENT_SECRET = INTERCOM_SECRET
    post(client, intercom_conversation())
    run_once(NIGHT)
    ticket = Ticket.objects.get()
    [email] = mailoutbox
    assert email.to == ["tomasz.nowak@lakesideclinic.example"]
    assert ticket.ref in email.subject


# Reports that cannot be read


@pytest.mark.django_db
def test_missing_answers_rejected_and_told(client, team, charlie, intercom_on, at_night):
    post(client, intercom_ticket(**{"Site down": None, "Affects half of users": None}))
    run_once(NIGHT)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.REJECTED
    assert "answers to the two questions" in delivery.error
    assert Ticket.objects.count() == 0
    [comment] = comments(intercom_on)
    assert "could not file it because your answers to the two questions are missing" in comment.body["body"]
    assert "/report/" in comment.body["body"]
    notice = NotificationAttempt.objects.get(member=charlie, purpose=NotificationAttempt.Purpose.NOTICE)
    assert "Intercom report was not filed" in notice.title


@pytest.mark.django_db
def test_one_yes_and_one_missing_pages_p2(client, team, intercom_on, at_night):
    post(client, intercom_ticket(**{"Affects half of users": None}))
    run_once(NIGHT)
    ticket = Ticket.objects.get()
    assert ticket.priority == "P2"
    assert "read as No" in ticket.description
    assert Page.objects.filter(ticket=ticket).exists()


@pytest.mark.django_db
def test_unknown_team_rejected(client, team, intercom_on, settings, at_night):
    settings.OOHDESK_INTERCOM_TEAM = "mobile"
    post(client, intercom_ticket())
    run_once(NIGHT)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.REJECTED
    assert "OOHDESK_INTERCOM_TEAM" in delivery.error
    [comment] = comments(intercom_on)
    assert "not yet set up" in comment.body["body"]
    assert "OOHDESK" not in comment.body["body"]
