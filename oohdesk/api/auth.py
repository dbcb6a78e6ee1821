"""Bearer-token authentication for the staff API calls.

A token is sent as ``Authorization: Bearer <token>`` and looked up by its
SHA-256 hash. A token that is missing, malformed or unknown gets 401 with a
``WWW-Authenticate: Bearer`` challenge (RFC 6750). A known token whose user is
inactive or not staff gets 403.
"""

import logging

from django.http import JsonResponse
from django.utils import timezone

from oohdesk.api.models import ApiToken, hash_token

logger = logging.getLogger(__name__)

REALM = 'Bearer realm="oohdesk"'

MISSING_TOKEN = (
    "Missing API token: send it in the header Authorization: Bearer <token>. "
    "An admin can create one with the createtoken command."
)
MALFORMED_HEADER = (
    "The Authorization header must be Bearer followed by one space and the token, "
    "such as Authorization: Bearer ooh_..."
)
INVALID_TOKEN = (
    "Invalid API token: it is unknown or was deleted. "
    "Check that you copied the whole token, or ask an admin for a new one."
)
NOT_STAFF = (
    "This API token belongs to a user who is inactive or not staff. "
    "Ask an admin to reactivate the user or mark them as staff."
)


def _unauthorized(message: str, challenge: str) -> JsonResponse:
    response = JsonResponse({"errors": {"authorization": [message]}}, status=401)
    response["WWW-Authenticate"] = challenge
    return response


def _bearer_secret(header: str) -> str | None:
    """Return the token from ``Bearer <token>``, or None. The scheme is case-insensitive (RFC 7235)."""
    scheme, _, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or " " in secret:
        return None
    return secret


def authenticate(request) -> ApiToken | JsonResponse:
    """Return the request's token, or the 401 or 403 response to send instead.

    A recognised token has its ``last_used_at`` set to now, even when its user
    is then rejected, so an admin can see which tokens are still in use.
    """
    header = request.headers.get("Authorization", "")
    if not header:
        return _unauthorized(MISSING_TOKEN, REALM)
    secret = _bearer_secret(header)
    if secret is None:
        return _unauthorized(MALFORMED_HEADER, f'{REALM}, error="invalid_request"')

    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(secret)).first()
    if token is None:
        return _unauthorized(INVALID_TOKEN, f'{REALM}, error="invalid_token"')

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    if not (token.user.is_active and token.user.is_staff):
        logger.warning("api token rejected: user is inactive or not staff token=%s user=%s", token.pk, token.user_id)
        return JsonResponse({"errors": {"authorization": [NOT_STAFF]}}, status=403)
    return token

