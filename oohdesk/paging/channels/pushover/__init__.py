"""Pushover: emergency priority for pages, normal priority for everything else.

A page goes out at priority 2, which Pushover repeats every ``retry`` seconds
until someone acknowledges it or ``expire`` seconds pass, and which the
Pushover app can let through Do Not Disturb. Pushover responds with a receipt.
The acknowledgement comes back through a callback URL carrying a signed token
(Pushover does not sign its callbacks), and as a fallback the engine polls the
receipt, no faster than Pushover's limit of once every 5 seconds. When the page
is acknowledged anywhere else, the receipt is cancelled so the phone stops.
API reference: https://pushover.net/api and https://pushover.net/api/receipts.
"""

import re

from django.conf import settings
from django.core import signing

from oohdesk import links
from oohdesk.paging.channels import http
from oohdesk.paging.channels.base import Channel, Message, PollResult, SendError, SendResult, mask_text

PROVIDER = "Pushover"
CALLBACK_SALT = "oohdesk.pushover.callback"
USER_KEY = re.compile(r"[A-Za-z0-9]{30}")
EMERGENCY, NORMAL = 2, 0
# Pushover's documented maximum lengths.
TITLE_MAX, MESSAGE_MAX, URL_TITLE_MAX = 250, 1024, 100


def api_url(path: str) -> str:
    return settings.OOHDESK_PUSHOVER_API_URL + path


def app_token() -> str:
    token = settings.OOHDESK_PUSHOVER_APP_TOKEN
    if not token:
        raise SendError(
            "Pushover is not configured: set OOHDESK_PUSHOVER_APP_TOKEN to the API token of your Pushover application.",
            permanent=True,
            configuration=True,
        )
    return token


def callback_token(attempt_id: int) -> str:
    return signing.dumps(attempt_id, salt=CALLBACK_SALT)


def read_callback_token(token: str) -> int:
    """Return the attempt id; raise signing.BadSignature if the token is not ours."""
    return int(signing.loads(token, salt=CALLBACK_SALT))


def callback_url(attempt_id: int) -> str:
    from django.urls import reverse

    return links.absolute(reverse("pushover-callback", args=[callback_token(attempt_id)]))


class PushoverChannel(Channel):
    kind = "pushover"
    label = "Pushover"
    bypasses_dnd = True
    supports_ack = True
    needs_verification = True
    withdrawable = True
    pollable = True

    def validate_address(self, address: str) -> None:
        if not USER_KEY.fullmatch(address or ""):
            raise ValueError(
                f"{address!r} is not a Pushover user key; copy the 30 letters and digits "
                "shown as Your User Key on the Pushover dashboard"
            )

    def mask(self, address: str) -> str:
        return mask_text(address, keep_start=4, keep_end=2)

    def send(self, attempt, message: Message) -> SendResult:
        fields = {
            "token": app_token(),
            "user": attempt.destination,
            "title": message.title[:TITLE_MAX],
            "message": _text(message)[:MESSAGE_MAX],
            "priority": NORMAL,
        }
        if message.ack_url:
            fields["url"] = message.ack_url
            fields["url_title"] = ("Confirm this test page" if message.is_test else "Acknowledge this page")[:URL_TITLE_MAX]
        if message.urgent:
            fields.update(
                priority=EMERGENCY,
                retry=settings.OOHDESK_PUSHOVER_RETRY_SECONDS,
                expire=settings.OOHDESK_PUSHOVER_EXPIRE_SECONDS,
                callback=callback_url(attempt.id),
            )
        body = _post("/1/messages.json", fields)
        return SendResult(provider_id=body.get("receipt") or body.get("request", ""), response=body)

    def send_verification(self, method, code: str) -> SendResult:
        fields = {
            "token": app_token(),
            "user": method.address,
            "title": "oohdesk verification code",
            "message": f"Your oohdesk verification code is {code}. Enter it on your contact methods page.",
            "priority": NORMAL,
        }
        body = _post("/1/messages.json", fields)
        return SendResult(provider_id=body.get("request", ""), response=body)

    def poll(self, attempt) -> PollResult:
        response = http.request(
            "GET", api_url(f"/1/receipts/{attempt.provider_id}.json"), PROVIDER, params={"token": app_token()}
        )
        http.raise_for_status(response, PROVIDER, _errors(response))
        body = http.json_body(response)
        acknowledged = body.get("acknowledged") == 1
        return PollResult(acknowledged=acknowledged, finished=acknowledged or body.get("expired") == 1, response=body)

    def withdraw(self, attempt) -> dict:
        return _post(f"/1/receipts/{attempt.provider_id}/cancel.json", {"token": app_token()})


def _text(message: Message) -> str:
    if message.ticket_ref and message.urgent and not message.is_test:
        return f"{message.body}\n\nReference {message.ticket_ref}."
    return message.body


def _post(path: str, fields: dict) -> dict:
    response = http.request("POST", api_url(path), PROVIDER, data=fields)
    body = http.json_body(response)
    if response.is_success and body.get("status") == 1:
        return body
    if response.status_code < 500 and response.status_code != 429:
        _raise_rejection(response, body)
    http.raise_for_status(response, PROVIDER, _errors(response))
    raise SendError(f"Pushover did not accept the request: {body}", permanent=False, response=body)


def _raise_rejection(response, body: dict) -> None:
    """Raise the permanent SendError for a 4xx: oohdesk's token at fault, or the member's user key."""
    detail = _errors(response)
    answer = {"status_code": response.status_code, **body}
    if body.get("token") == "invalid":
        raise SendError(
            f"Pushover rejected oohdesk's application token: {detail}; check OOHDESK_PUSHOVER_APP_TOKEN.",
            permanent=True,
            configuration=True,
            response=answer,
        )
    raise SendError(f"Pushover rejected the message: {detail}", permanent=True, response=answer)


def _errors(response) -> str:
    body = http.json_body(response)
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        return "; ".join(str(error) for error in errors)
    return f"HTTP {response.status_code}"
