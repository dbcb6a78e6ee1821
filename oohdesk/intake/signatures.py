"""Checking that a webhook request was signed by the helpdesk, in constant time.

Intercom sends ``X-Hub-Signature: sha1=<hex>``, the HMAC-SHA1 of the raw body
keyed with the app's client secret. Zendesk sends
``X-Zendesk-Webhook-Signature``, the base64 HMAC-SHA256 of the
``X-Zendesk-Webhook-Signature-Timestamp`` value followed by the raw body,
keyed with the webhook's signing secret. Each check returns None when the
request is genuine, or the reason it is not, for the 401 answer.
"""

import base64
import hashlib
import hmac
from datetime import datetime, timedelta, timezone


def _same(expected: bytes, received: str) -> bool:
    return hmac.compare_digest(expected, received.strip().encode("utf-8"))


def intercom_signature_problem(secret: str, body: bytes, header: str | None) -> str | None:
    if not header:
        return "Missing X-Hub-Signature header: only signed Intercom notifications are accepted."
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha1).hexdigest()
    if not _same(f"sha1={digest}".encode("ascii"), header):
        return "Invalid X-Hub-Signature: check that OOHDESK_INTERCOM_CLIENT_SECRET is the app's client secret."
    return None


def zendesk_signature_problem(
    secret: str, body: bytes, signature: str | None, timestamp: str | None, at: datetime, max_age_seconds: int
) -> str | None:
    if not signature or not timestamp:
        return (
            "Missing X-Zendesk-Webhook-Signature or X-Zendesk-Webhook-Signature-Timestamp header: "
            "only signed Zendesk webhooks are accepted."
        )
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + body, hashlib.sha256).digest()
    if not _same(base64.b64encode(digest), signature):
        return "Invalid X-Zendesk-Webhook-Signature: check that OOHDESK_ZENDESK_SIGNING_SECRET is the webhook's signing secret."
    if max_age_seconds and not _recent(timestamp, at, max_age_seconds):
        return (
            f"X-Zendesk-Webhook-Signature-Timestamp {timestamp!r} is more than {max_age_seconds} seconds from "
            "this server's time: the request may be replayed, or a clock is wrong."
        )
    return None


def _recent(timestamp: str, at: datetime, max_age_seconds: int) -> bool:
    try:
        signed_at = datetime.fromisoformat(timestamp.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    if signed_at.tzinfo is None:
        signed_at = signed_at.replace(tzinfo=timezone.utc)
    return abs(at - signed_at) <= timedelta(seconds=max_age_seconds)
