"""A proof-of-work spam challenge in the ALTCHA format, issued and checked by oohdesk itself.

The server picks a random salt and a secret number n no larger than
``maxnumber``, and sends ``challenge = SHA-256(salt + n)`` with an HMAC
signature of it. The browser (static/oohdesk/challenge.js) tries numbers
until one hashes to the challenge and posts back a base64 JSON payload with
the number. Checking costs the server two hashes; solving costs the browser
about ``maxnumber / 2`` hashes. No third-party service is involved.

The salt ends in ``?expires=<unix time>``, so a challenge cannot be solved
once and reused for ever, and each solved challenge is recorded until then so
the same solution cannot be posted twice.
"""

import base64
import hashlib
import hmac
import json
import logging
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from oohdesk.security.models import SpentChallenge

logger = logging.getLogger(__name__)

ALGORITHM = "SHA-256"
# A payload is a base64 JSON object of five short fields; anything longer is not one.
MAX_PAYLOAD_LENGTH = 1000


def _sign(challenge: str) -> str:
    return salted_hmac("oohdesk.security.challenge", challenge, algorithm="sha256").hexdigest()


def _hash(salt: str, number: int) -> str:
    return hashlib.sha256(f"{salt}{number}".encode()).hexdigest()


def new_challenge(at: datetime) -> dict:
    """Return a fresh challenge for the form page, valid for OOHDESK_CHALLENGE_MAX_AGE seconds from ``at``."""
    expires = int(at.timestamp()) + settings.OOHDESK_CHALLENGE_MAX_AGE
    salt = f"{secrets.token_hex(12)}?expires={expires}"
    maxnumber = settings.OOHDESK_CHALLENGE_MAX_NUMBER
    challenge = _hash(salt, secrets.randbelow(maxnumber + 1))
    return {
        "algorithm": ALGORITHM,
        "challenge": challenge,
        "maxnumber": maxnumber,
        "salt": salt,
        "signature": _sign(challenge),
    }


def verify_solution(payload: str, at: datetime) -> str:
    """Check a posted solution and spend it; return "" if it is good, else why it is not, in a few words.

    The reasons are for the log and for tests; the reporter is never shown them.
    """
    if not payload:
        return "no solution posted"
    if len(payload) > MAX_PAYLOAD_LENGTH:
        return "solution too long"
    try:
        solution = json.loads(base64.b64decode(payload, validate=True))
        salt, challenge, signature = str(solution["salt"]), str(solution["challenge"]), str(solution["signature"])
        number = int(solution["number"])
        algorithm = solution["algorithm"]
    except (ValueError, TypeError, KeyError):
        return "solution malformed"
    if algorithm != ALGORITHM:
        return "unknown algorithm"
    if not hmac.compare_digest(_sign(challenge), signature):
        return "signature invalid"
    expires_at = _expiry(salt)
    if expires_at is None or expires_at < at:
        return "challenge expired"
    if not hmac.compare_digest(_hash(salt, number), challenge):
        return "wrong number"
    return "" if _spend(challenge, expires_at, at) else "solution already used"


def _expiry(salt: str) -> datetime | None:
    _random, _, query = salt.partition("?")
    try:
        return datetime.fromtimestamp(int(parse_qs(query)["expires"][0]), timezone.utc)
    except (KeyError, ValueError, OverflowError, OSError):
        return None


def _spend(challenge: str, expires_at: datetime, at: datetime) -> bool:
    """Record the challenge as used; return False if it was used before."""
    try:
        with transaction.atomic():
            SpentChallenge.objects.create(challenge=challenge, expires_at=expires_at)
    except IntegrityError:
        return False
    SpentChallenge.objects.filter(expires_at__lt=at - timedelta(minutes=1)).delete()
    return True
