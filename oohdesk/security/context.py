import json

from django.utils import timezone

from oohdesk.security import challenge
from oohdesk.security.screening import CHALLENGE_FIELD, HONEYPOT_FIELD, Screening


def report_guard_context(screening: Screening | None = None) -> dict:
    """Return what the report form's templates need: a fresh challenge, the field names and any refusal."""
    return {
        "challenge_json": json.dumps(challenge.new_challenge(timezone.now())),
        "challenge_field": CHALLENGE_FIELD,
        "honeypot_field": HONEYPOT_FIELD,
        "refusal": screening.refusal if screening else "",
    }
