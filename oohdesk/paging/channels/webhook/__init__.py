"""Outgoing webhook: a signed JSON POST about each page event, for agencies' own tools.

The receiver checks two headers. ``X-Oohdesk-Timestamp`` is the Unix time of
sending. ``X-Oohdesk-Signature`` is ``sha256=`` followed by the hex HMAC-SHA256,
keyed with the webhook's secret, of the timestamp, a full stop and the raw
body. The receiver should reject a timestamp more than a few minutes old.

The destination must resolve to public addresses only: private, loopback,
link-local and other special-purpose addresses are refused, unless they fall
in OOHDESK_WEBHOOK_ALLOWED_NETWORKS, so a webhook cannot reach services inside
the agency's network. Redirects are not followed.
"""

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from urllib.parse import urlsplit

from django.conf import settings

from oohdesk.paging.channels import http
from oohdesk.paging.channels.base import Channel, Message, SendError, SendResult

PROVIDER = "the webhook"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    signed = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def check_destination(url: str) -> None:
    """Raise SendError (permanent) unless every address ``url``'s host resolves to may be called.

    NOTE: the HTTP client resolves the host again when it connects, so a DNS
    answer that changes between the two look-ups (DNS rebinding) is not caught.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SendError(f"The webhook URL must start with https:// or http://, not {url[:40]!r}.", permanent=True, configuration=True)
    try:
        resolved = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise SendError(f"The webhook host {parts.hostname} could not be resolved: {error}", permanent=False) from error
    allowed = [ipaddress.ip_network(network, strict=False) for network in settings.OOHDESK_WEBHOOK_ALLOWED_NETWORKS]
    for *_rest, sockaddr in resolved:
        address = ipaddress.ip_address(sockaddr[0])
        if not address.is_global and not any(address in network for network in allowed):
            raise SendError(
                f"The webhook host {parts.hostname} resolves to {address}, a private, loopback or link-local address; "
                "oohdesk only calls public addresses unless OOHDESK_WEBHOOK_ALLOWED_NETWORKS includes it.",
                permanent=True,
                configuration=True,
            )


def payload(attempt, message: Message) -> dict:
    page = attempt.page
    ticket = page.ticket
    return {
        "event": attempt.event,
        "text": message.body,
        "page": {
            "id": page.id,
            "status": page.status,
            "step": page.step_index + 1,
            "round": page.round + 1,
            "acknowledged_by": page.acknowledged_by.name if page.acknowledged_by else None,
            "acknowledged_via": page.acknowledged_via or None,
        },
        "ticket": {
            "ref": ticket.ref,
            "priority": ticket.priority,
            "organisation": ticket.organisation,
            "site": ticket.site,
            "summary": ticket.summary,
        },
        "sent_at": int(time.time()),
    }


class WebhookChannel(Channel):
    kind = "webhook"
    label = "Webhook"

    def mask(self, address: str) -> str:
        return address

    def send(self, attempt, message: Message) -> SendResult:
        hook = attempt.announcement_channel
        check_destination(hook.url)
        body = json.dumps(payload(attempt, message), separators=(",", ":")).encode("utf-8")
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "oohdesk-webhook",
            "X-Oohdesk-Event": attempt.event,
            "X-Oohdesk-Timestamp": timestamp,
            "X-Oohdesk-Signature": signature(hook.secret, timestamp, body),
        }
        response = http.request("POST", hook.url, PROVIDER, content=body, headers=headers)
        http.raise_for_status(response, "The webhook", response.text[:200])
        return SendResult(provider_id="", response={"status_code": response.status_code, "body": response.text[:500]})
