"""Signature checks, settings checks and a delivery that keeps failing."""

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest

from conftest import utc
from oohdesk.intake import deliveries
from oohdesk.intake.checks import check_intercom_base_url, check_intercom_replies, check_zendesk_fields
from oohdesk.intake.models import CustomerMessage, WebhookDelivery
from oohdesk.intake.signatures import intercom_signature_problem, zendesk_signature_problem
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import NotificationAttempt
from oohdesk.tickets.models import Ticket
from webhooks import ZENDESK_FIELDS, ZENDESK_SECRET, raw, zendesk_body, zendesk_headers

NIGHT = utc(2026, 1, 10, 3, 0)
BODY = b'{"topic": "ticket.created"}'


def intercom_signature(secret: str, body: bytes) -> str:
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()).decode()


# Signatures


def test_intercom_signature_valid():
    assert intercom_signature_problem("s3cret", BODY, intercom_signature("s3cret", BODY)) is None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        intercom_signature("other", BODY),
        intercom_signature("s3cret", BODY).replace("sha1=", "sha256="),
        intercom_signature("s3cret", BODY)[:-1],
        "sha1=é",
    ],
)
def test_intercom_signature_rejected(header):
    assert intercom_signature_problem("s3cret", BODY, header)


def test_zendesk_signature_valid():
    timestamp = "2026-01-10T03:00:00Z"
    signature = zendesk_signature("s3cret", timestamp, BODY)
    assert zendesk_signature_problem("s3cret", BODY, signature, timestamp, NIGHT, 900) is None


@pytest.mark.parametrize(
    "signature, timestamp",
    [
        (None, "2026-01-10T03:00:00Z"),
        (zendesk_signature("s3cret", "2026-01-10T03:00:00Z", BODY), None),
        (zendesk_signature("other", "2026-01-10T03:00:00Z", BODY), "2026-01-10T03:00:00Z"),
        (zendesk_signature("s3cret", "2026-01-10T03:00:00Z", b""), "2026-01-10T03:00:00Z"),
        (zendesk_signature("s3cret", "not a time", BODY), "not a time"),
        (zendesk_signature("s3cret", "2026-01-10T02:44:59Z", BODY), "2026-01-10T02:44:59Z"),
        (zendesk_signature("s3cret", "2026-01-10T03:15:01Z", BODY), "2026-01-10T03:15:01Z"),
    ],
)
def test_zendesk_signature_rejected(signature, timestamp):
    assert zendesk_signature_problem("s3cret", BODY, signature, timestamp, NIGHT, 900)


def test_zendesk_signature_age_edge():
    timestamp = "2026-01-10T02:45:00Z"
    signature = zendesk_signature("s3cret", timestamp, BODY)
    assert zendesk_signature_problem("s3cret", BODY, signature, timestamp, NIGHT, 900) is None


# Settings checks


def test_intercom_half_set_up(settings):
    settings.OOHDESK_INTERCOM_API_BASE_URL = "http://127.0.0.1:9"
    settings.OOHDESK_INTERCOM_ACCESS_TOKEN = ""
    settings.OOHDESK_INTERCOM_ADMIN_ID = ""
    [error] = check_intercom_replies()
    assert error.id == "intake.E001"
    assert "OOHDESK_INTERCOM_ACCESS_TOKEN and OOHDESK_INTERCOM_ADMIN_ID are empty" in error.msg


def test_intercom_all_or_nothing(settings):
    settings.OOHDESK_INTERCOM_API_BASE_URL = ""
    settings.OOHDESK_INTERCOM_ACCESS_TOKEN = ""
    settings.OOHDESK_INTERCOM_ADMIN_ID = ""
    assert check_intercom_replies() == []
    settings.OOHDESK_INTERCOM_API_BASE_URL = "http://127.0.0.1:9"
    settings.OOHDESK_INTERCOM_ACCESS_TOKEN = "token"
    settings.OOHDESK_INTERCOM_ADMIN_ID = "1"
    assert check_intercom_replies() == []


def test_intercom_base_url_scheme(settings):
    settings.OOHDESK_INTERCOM_API_BASE_URL = "api.intercom.example"
    [error] = check_intercom_base_url()
    assert error.id == "intake.E002"


def test_zendesk_fields_required(settings):
    settings.OOHDESK_ZENDESK_SIGNING_SECRET = "s3cret"
    settings.OOHDESK_ZENDESK_SITE_DOWN_FIELD = "1"
    settings.OOHDESK_ZENDESK_AFFECTS_HALF_FIELD = ""
    [error] = check_zendesk_fields()
    assert "OOHDESK_ZENDESK_AFFECTS_HALF_FIELD is empty" in error.msg
    settings.OOHDESK_ZENDESK_SIGNING_SECRET = ""
    assert check_zendesk_fields() == []


# A delivery that keeps failing


@pytest.fixture
def zendesk_on(settings):
    settings.OOHDESK_ZENDESK_SIGNING_SECRET = ZENDESK_SECRET
    settings.OOHDESK_ZENDESK_SITE_DOWN_FIELD = ZENDESK_FIELDS["site_down"]
    settings.OOHDESK_ZENDESK_AFFECTS_HALF_FIELD = ZENDESK_FIELDS["affects_half"]


@pytest.mark.django_db
def test_failing_delivery_retried_then_reported(client, team, charlie, zendesk_on, settings, monkeypatch, mailoutbox, time_machine):
    settings.OOHDESK_SEND_MAX_TRIES = 2
    time_machine.move_to(NIGHT, tick=False)
    body = raw(zendesk_body())
    client.post("/intake/zendesk", data=body, content_type="application/json", headers=zendesk_headers(body))

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(deliveries, "accept_report", broken)
    run_once(NIGHT)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert "database went away" in delivery.error
    assert delivery.due_at == NIGHT + timedelta(seconds=10)

    run_once(NIGHT + timedelta(minutes=1))
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert Ticket.objects.count() == 0
    assert NotificationAttempt.objects.filter(member=charlie, purpose=NotificationAttempt.Purpose.NOTICE).exists()
    told = CustomerMessage.objects.get(kind=CustomerMessage.Kind.NOT_READ)
    assert told.recipient == "grace.okafor@fernleaflibrary.example"
