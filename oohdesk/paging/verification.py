"""Verifying a contact method: a code sent to the number or device, typed back by its owner.

A method of a kind that needs verification pages nobody until it is verified.
Verifying again also clears a broken mark, once the member has fixed the cause.
"""

import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.crypto import salted_hmac

from oohdesk.paging.channels import CHANNELS, SendError
from oohdesk.paging.models import ContactMethod

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
MAX_FAILURES = 5


class VerificationError(Exception):
    """Sending or checking a code failed; the message says why and what to do."""


def send_code(method: ContactMethod, at: datetime) -> None:
    """Send a new code to ``method``; raise VerificationError if it cannot be sent."""
    channel = CHANNELS.get(method.kind)
    if channel is None or not channel.needs_verification:
        raise VerificationError(f"A {method.kind} contact method needs no verification.")
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    try:
        channel.send_verification(method, code)
    except SendError as error:
        logger.warning("verification code not sent method=%s error=%s", method.id, error)
        raise VerificationError(f"The code could not be sent: {error}") from error
    method.verification_code_hash = _hash(method, code)
    method.verification_sent_at = at
    method.verification_failures = 0
    method.save(update_fields=["verification_code_hash", "verification_sent_at", "verification_failures"])
    logger.info("verification code sent method=%s member=%s", method.id, method.member_id)


def check_code(method: ContactMethod, code: str, at: datetime) -> None:
    """Verify ``method`` if ``code`` is the one sent; raise VerificationError otherwise."""
    if not method.verification_code_hash or method.verification_sent_at is None:
        raise VerificationError("No code has been sent to this contact method yet; send one first.")
    if at - method.verification_sent_at > timedelta(seconds=settings.OOHDESK_VERIFICATION_MAX_AGE):
        raise VerificationError("That code has expired; send a new one.")
    if method.verification_failures >= MAX_FAILURES:
        raise VerificationError("Too many wrong codes; send a new one.")
    if not hmac.compare_digest(_hash(method, code.strip()), method.verification_code_hash):
        method.verification_failures += 1
        method.save(update_fields=["verification_failures"])
        raise VerificationError("That code is not the one sent; check it and try again.")
    method.verified_at = at
    method.broken_at = None
    method.broken_reason = ""
    method.verification_code_hash = ""
    method.save(update_fields=["verified_at", "broken_at", "broken_reason", "verification_code_hash"])
    logger.info("contact method verified method=%s member=%s", method.id, method.member_id)


def _hash(method: ContactMethod, code: str) -> str:
    return salted_hmac("oohdesk.contact_method.verify", f"{method.id}:{method.address}:{code}", algorithm="sha256").hexdigest()
