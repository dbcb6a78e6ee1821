"""Twilio: phone calls and SMS from the agency's Twilio number.

A call or SMS gets through Do Not Disturb when the developer has saved the
Twilio number as a contact allowed to break through it (an emergency bypass).
Requests go to the REST API (2010-04-01) with HTTP basic authentication by the
account SID and auth token. Twilio's requests back to oohdesk (TwiML fetches,
status callbacks, incoming SMS) carry an X-Twilio-Signature header, an
HMAC-SHA1 keyed with the auth token over the full URL followed by each POST
parameter's name and value in name order, base64-encoded. Requests whose
signature does not match are rejected.
Reference: https://www.twilio.com/docs/usage/webhooks/webhooks-security.
"""

import base64
import hashlib
import hmac
import re

from django.conf import settings
from django.urls import reverse

from oohdesk import links
from oohdesk.paging.channels import http
from oohdesk.paging.channels.base import SendError, mask_text

PROVIDER = "Twilio"
API_VERSION = "2010-04-01"
E164 = re.compile(r"\+[1-9]\d{6,14}")

# Twilio error codes that mean the member's number cannot be used, so the method is broken.
# 21211 invalid To number, 21214 To number cannot be reached, 21217 number not valid,
# 21610 recipient unsubscribed (replied STOP), 21612 cannot route to this number,
# 21614 not a mobile number, 13224 invalid number for calls.
ADDRESS_ERRORS = {21211, 21214, 21217, 21610, 21612, 21614, 13224}
# 20003 authentication failed: oohdesk's account SID or auth token is wrong.
AUTH_ERRORS = {20003}


def validate_phone_number(address: str) -> None:
    if not E164.fullmatch(address or ""):
        raise ValueError(
            f"{address!r} is not a phone number in international format; write + and the country code, "
            "then the number without spaces or the leading 0, such as +447700900123"
        )


def mask_phone_number(address: str) -> str:
    return mask_text(address, keep_start=3, keep_end=3)


def configured() -> tuple[str, str, str]:
    """Return (account SID, auth token, from number), or raise a configuration SendError naming what is missing."""
    values = {
        "OOHDESK_TWILIO_ACCOUNT_SID": settings.OOHDESK_TWILIO_ACCOUNT_SID,
        "OOHDESK_TWILIO_AUTH_TOKEN": settings.OOHDESK_TWILIO_AUTH_TOKEN,
        "OOHDESK_TWILIO_FROM_NUMBER": settings.OOHDESK_TWILIO_FROM_NUMBER,
    }
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise SendError(f"Twilio is not configured: set {', '.join(missing)}.", permanent=True, configuration=True)
    return tuple(values.values())


def post(resource: str, fields: dict) -> dict:
    """POST form ``fields`` to an account resource such as "Calls.json"; return Twilio's JSON response."""
    account_sid, auth_token, _number = configured()
    url = f"{settings.OOHDESK_TWILIO_API_URL}/{API_VERSION}/Accounts/{account_sid}/{resource}"
    response = http.request("POST", url, PROVIDER, data=fields, auth=(account_sid, auth_token))
    body = http.json_body(response)
    if response.is_success:
        return body
    code = body.get("code")
    detail = f"{body.get('message') or response.reason_phrase} (error {code})"
    answer = {"status_code": response.status_code, **body}
    if response.status_code == 429 or response.status_code >= 500:
        raise SendError(f"Twilio responded {response.status_code}: {detail}", permanent=False, response=answer)
    if code in ADDRESS_ERRORS:
        raise SendError(f"Twilio rejected the number: {detail}", permanent=True, response=answer)
    raise SendError(
        f"Twilio rejected the request: {detail}; check oohdesk's Twilio settings and account.",
        permanent=True,
        configuration=True,
        response=answer,
    )


def callback_url(name: str, *args) -> str:
    return links.absolute(reverse(name, args=args))


def signature(url: str, params: list[tuple[str, str]], auth_token: str) -> str:
    """Return the X-Twilio-Signature for a request to ``url`` with POST ``params`` (pairs, repeats allowed)."""
    payload = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def is_signed_by_twilio(request) -> bool:
    """Return whether the request carries a valid X-Twilio-Signature for oohdesk's public URL."""
    auth_token = settings.OOHDESK_TWILIO_AUTH_TOKEN
    given = request.headers.get("X-Twilio-Signature", "")
    if not auth_token or not given:
        return False
    # Twilio signs the URL it called, which is oohdesk's public base URL, not what a proxy forwards.
    url = links.absolute(request.get_full_path())
    params = [(name, value) for name, values in request.POST.lists() for value in values]
    return hmac.compare_digest(signature(url, params, auth_token), given)
