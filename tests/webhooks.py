"""Sample helpdesk payloads and how Intercom and Zendesk sign them.

The payloads under fixtures/ are built from the field names in Intercom's and
Zendesk's published documentation; the people and companies are made up.
"""

import base64
import copy
import hashlib
import hmac
import json
from datetime import datetime, timezone
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"

INTERCOM_SECRET = "intercom-client-secret-for-tests"
ZENDESK_SECRET = "zendesk-signing-secret-for-tests"
ZENDESK_FIELDS = {"site_down": "360011112222", "affects_half": "360011113333", "site": "360011114444"}


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def intercom_ticket(notification_id: str = "notif_ticket-1", ticket_id: str = "7301", **attributes) -> dict:
    """The ticket.created sample with its ids and any ticket attributes replaced; None removes an attribute."""
    notification = copy.deepcopy(fixture("intercom_ticket_created.json"))
    notification["id"] = notification_id
    item = notification["data"]["item"]
    item["id"] = ticket_id
    for name, value in attributes.items():
        if value is None:
            item["ticket_attributes"].pop(name, None)
        else:
            item["ticket_attributes"][name] = value
    return notification


def intercom_conversation(notification_id: str = "notif_conversation-1", conversation_id: str = "215468203", **attributes) -> dict:
    notification = copy.deepcopy(fixture("intercom_conversation_user_created.json"))
    notification["id"] = notification_id
    item = notification["data"]["item"]
    item["id"] = conversation_id
    for name, value in attributes.items():
        if value is None:
            item["custom_attributes"].pop(name, None)
        else:
            item["custom_attributes"][name] = value
    return notification


def zendesk_body(ticket_id: str = "58213", site_down="yes", affects_half="no", **changes) -> dict:
    body = copy.deepcopy(fixture("zendesk_ticket_trigger.json"))
    ticket = body["ticket"]
    ticket["id"] = ticket_id
    values = {ZENDESK_FIELDS["site_down"]: site_down, ZENDESK_FIELDS["affects_half"]: affects_half}
    for field in ticket["custom_fields"]:
        if field["id"] in values:
            field["value"] = values[field["id"]]
    ticket.update(changes)
    return body


def raw(payload: dict) -> bytes:
    return json.dumps(payload).encode("utf-8")


def intercom_headers(body: bytes, secret: str = INTERCOM_SECRET) -> dict:
    digest = hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    return {"X-Hub-Signature": f"sha1={digest}"}


def zendesk_headers(body: bytes, invocation_id: str = "8350205582", at: datetime | None = None, secret: str = ZENDESK_SECRET) -> dict:
    timestamp = (at or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return {
        "X-Zendesk-Account-Id": "123456",
        "X-Zendesk-Webhook-Id": "01JH2Q3R4S5T6V7W8X9Y0ZABCD",
        "X-Zendesk-Webhook-Invocation-Id": invocation_id,
        "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
    }
