"""ntfy (ntfy.sh or a self-hosted server): a push to a topic the developer subscribes to.

Pages go out at priority 5 (max), which the ntfy Android app can let through
Do Not Disturb, with an Acknowledge action button that POSTs to oohdesk's
signed acknowledgement URL. Notices go out at priority 3 (default). Messages
are published as JSON to the server's root URL.
Reference: https://docs.ntfy.sh/publish/.
"""

import re

from django.conf import settings

from oohdesk.paging.channels import http
from oohdesk.paging.channels.base import Channel, Message, SendResult, SendError, mask_text

PROVIDER = "ntfy"
MAX_PRIORITY, DEFAULT_PRIORITY = 5, 3
TOPIC = re.compile(r"[-_A-Za-z0-9]{1,64}")


class NtfyChannel(Channel):
    kind = "ntfy"
    label = "ntfy"
    bypasses_dnd = True
    supports_ack = True
    needs_verification = True

    def validate_address(self, address: str) -> None:
        if not TOPIC.fullmatch(address or ""):
            raise ValueError(
                f"{address!r} is not an ntfy topic; use 1 to 64 letters, digits, hyphens and underscores, "
                "and make it hard to guess, because anyone who knows it can read it"
            )

    def mask(self, address: str) -> str:
        return mask_text(address, keep_start=3, keep_end=0)

    def send(self, attempt, message: Message) -> SendResult:
        payload = {
            "topic": attempt.destination,
            "title": message.title,
            "message": message.body,
            "priority": MAX_PRIORITY if message.urgent else DEFAULT_PRIORITY,
        }
        if message.urgent:
            payload["tags"] = ["test_tube"] if message.is_test else ["rotating_light"]
        if message.ack_url:
            payload["click"] = message.ack_url
        if message.ack_action_url:
            label = "Confirm test page" if message.is_test else "Acknowledge"
            payload["actions"] = [
                {"action": "http", "label": label, "url": message.ack_action_url, "method": "POST", "clear": True}
            ]
        return publish(payload)

    def send_verification(self, method, code: str) -> SendResult:
        return publish(
            {"topic": method.address, "title": "oohdesk verification code", "message": f"Your oohdesk verification code is {code}."}
        )


def publish(payload: dict) -> SendResult:
    headers = {}
    if settings.OOHDESK_NTFY_TOKEN:
        headers["Authorization"] = f"Bearer {settings.OOHDESK_NTFY_TOKEN}"
    response = http.request("POST", settings.OOHDESK_NTFY_URL + "/", PROVIDER, json=payload, headers=headers)
    if response.status_code in (401, 403):
        body = http.json_body(response)
        raise SendError(
            f"ntfy rejected oohdesk's access to the topic ({body.get('error', response.status_code)}); "
            "check OOHDESK_NTFY_TOKEN and the topic's access rules.",
            permanent=True,
            configuration=True,
            response={"status_code": response.status_code, **body},
        )
    http.raise_for_status(response, PROVIDER, str(http.json_body(response).get("error", "")))
    body = http.json_body(response)
    return SendResult(provider_id=str(body.get("id", "")), response=body)
