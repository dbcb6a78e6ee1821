"""Zendesk: a ticket trigger's signed webhook becomes a ticket that pages like the form's."""

from datetime import timedelta

import pytest

from conftest import utc
from oohdesk.intake.models import HelpdeskLink, WebhookDelivery
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import DemoPhoneMessage, Page
from oohdesk.tickets.models import Ticket
from webhooks import ZENDESK_FIELDS, ZENDESK_SECRET, raw, zendesk_body, zendesk_headers

# Saturday 10 January 2026 03:00 UK time: out of hours, Alice's first week on call.
NIGHT = utc(2026, 1, 10, 3, 0)
URL = "/intake/zendesk"


@pytest.fixture
def zendesk_on(settings):
    settings.OOHDESK_ZENDESK_SIGNING_SECRET = ZENDESK_SECRET
    settings.OOHDESK_ZENDESK_SITE_DOWN_FIELD = ZENDESK_FIELDS["site_down"]
    settings.OOHDESK_ZENDESK_AFFECTS_HALF_FIELD = ZENDESK_FIELDS["affects_half"]
    settings.OOHDESK_ZENDESK_SITE_FIELD = ZENDESK_FIELDS["site"]


@pytest.fixture
def at_night(time_machine):
    time_machine.move_to(NIGHT, tick=False)


def post(client, payload: dict, headers: dict | None = None, **signing):
    body = raw(payload)
    signed = zendesk_headers(body, **signing) if headers is None else headers
    return client.post(URL, data=body, content_type="application/json", headers=signed)


@pytest.mark.django_db
def test_signed_trigger_pages_p2(client, team, alice, zendesk_on, at_night):
    response = post(client, zendesk_body())
    assert response.status_code == 200
    assert response.json()["status"] == "received"
    run_once(NIGHT)
    ticket = Ticket.objects.get()
    assert ticket.priority == "P2"
    assert ticket.source == Ticket.Source.ZENDESK
    assert ticket.summary == "Library catalogue search returns nothing"
    assert ticket.site == "https://catalogue.fernleaflibrary.example"
    assert ticket.organisation == "Fernleaf Library Trust"
    assert ticket.reporter_name == "Grace Okafor"
    assert ticket.reporter_email == "grace.okafor@fernleaflibrary.example"
    assert ticket.reporter_phone == "+44 161 496 0325"
    assert ticket.page.status == Page.Status.TRIGGERED
    assert DemoPhoneMessage.objects.filter(member=alice, urgent=True).exists()
    link = HelpdeskLink.objects.get(ticket=ticket)
    assert (link.source, link.object_id) == ("zendesk", "58213")


@pytest.mark.django_db
def test_yes_yes_is_p1(client, team, zendesk_on, at_night):
    post(client, zendesk_body(site_down="Yes", affects_half="true"))
    run_once(NIGHT)
    assert Ticket.objects.get().priority == "P1"


@pytest.mark.django_db
def test_no_no_held_until_opening(client, team, zendesk_on, mailoutbox, at_night):
    post(client, zendesk_body(site_down="no", affects_half="no"))
    run_once(NIGHT)
    ticket = Ticket.objects.get()
    assert ticket.priority == "P3"
    assert ticket.status == Ticket.Status.HELD
    assert Page.objects.count() == 0
    [email] = mailoutbox
    assert "09:00 on Monday 12 January 2026 (UK time)" in email.body


@pytest.mark.django_db
def test_field_settings_choose_answers(client, team, zendesk_on, settings, at_night):
    settings.OOHDESK_ZENDESK_SITE_DOWN_FIELD = "900"
    settings.OOHDESK_ZENDESK_AFFECTS_HALF_FIELD = "901"
    body = zendesk_body(custom_fields=[{"id": 900, "value": "no"}, {"id": "901", "value": "yes"}])
    post(client, body)
    run_once(NIGHT)
    ticket = Ticket.objects.get()
    assert (ticket.site_down, ticket.affects_half) == (False, True)
    assert ticket.site == ""


@pytest.mark.django_db
def test_bad_signature_401(client, team, zendesk_on, at_night):
    response = post(client, zendesk_body(), secret="not-the-secret")
    assert response.status_code == 401
    assert "X-Zendesk-Webhook-Signature" in response.json()["errors"]["signature"][0]
    assert WebhookDelivery.objects.count() == 0
    run_once(NIGHT)
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_missing_signature_401(client, team, zendesk_on, at_night):
    body = raw(zendesk_body())
    headers = zendesk_headers(body)
    del headers["X-Zendesk-Webhook-Signature"]
    response = client.post(URL, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert "Missing" in response.json()["errors"]["signature"][0]
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_timestamp_is_signed(client, team, zendesk_on, at_night):
    body = raw(zendesk_body())
    headers = zendesk_headers(body)
    headers["X-Zendesk-Webhook-Signature-Timestamp"] = "2026-01-10T03:00:01Z"
    response = client.post(URL, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_stale_signature_401(client, team, zendesk_on, at_night):
    response = post(client, zendesk_body(), at=NIGHT - timedelta(hours=1))
    assert response.status_code == 401
    assert "replayed" in response.json()["errors"]["signature"][0]
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_stale_check_can_be_off(client, team, zendesk_on, settings, at_night):
    settings.OOHDESK_ZENDESK_SIGNATURE_MAX_AGE_SECONDS = 0
    assert post(client, zendesk_body(), at=NIGHT - timedelta(hours=1)).status_code == 200


@pytest.mark.django_db
def test_redelivery_one_ticket(client, team, zendesk_on, at_night):
    first = post(client, zendesk_body(), invocation_id="8350205582")
    again = post(client, zendesk_body(), invocation_id="8350205582")
    assert again.json() == {"status": "already received", "delivery": first.json()["delivery"]}
    run_once(NIGHT)
    assert WebhookDelivery.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert Page.objects.count() == 1


@pytest.mark.django_db
def test_trigger_fired_twice_one_ticket(client, team, zendesk_on, at_night):
    post(client, zendesk_body(), invocation_id="1")
    post(client, zendesk_body(), invocation_id="2")
    run_once(NIGHT)
    assert WebhookDelivery.objects.count() == 2
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_missing_invocation_id_400(client, team, zendesk_on, at_night):
    body = raw(zendesk_body())
    headers = zendesk_headers(body)
    del headers["X-Zendesk-Webhook-Invocation-Id"]
    response = client.post(URL, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert "Invocation-Id" in response.json()["errors"]["invocation_id"][0]
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_body_without_ticket_400(client, team, zendesk_on, at_night):
    response = post(client, {"subject": "Test from Admin Center"})
    assert response.status_code == 400
    assert '"ticket"' in response.json()["errors"]["body"][0]
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_invalid_json_400(client, team, zendesk_on, at_night):
    body = b'{"ticket": {"id": "1", "subject": "unclosed'
    response = client.post(URL, data=body, content_type="application/json", headers=zendesk_headers(body))
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["errors"]["body"][0]


@pytest.mark.django_db
def test_no_secret_503(client, team, at_night):
    response = post(client, zendesk_body())
    assert response.status_code == 503
    assert "OOHDESK_ZENDESK_SIGNING_SECRET" in response.json()["errors"]["configuration"][0]


@pytest.mark.django_db
def test_missing_answers_emails_customer(client, team, charlie, zendesk_on, mailoutbox, at_night):
    post(client, zendesk_body(site_down="", affects_half="no"))
    run_once(NIGHT)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.REJECTED
    assert Ticket.objects.count() == 0
    [email] = mailoutbox
    assert email.to == ["grace.okafor@fernleaflibrary.example"]
    assert email.subject == "We could not read your report"
