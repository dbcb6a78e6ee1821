"""Fixed-window rate limits counted in the database, so every web process shares them.

A key is hit once per accepted request. Windows start at multiples of the
window length since the Unix epoch, so every process agrees on them; a burst
across a window boundary can reach twice the limit, which these limits allow
for. Rows older than two windows are deleted when a new window starts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.crypto import salted_hmac

from oohdesk.security.models import RateLimitWindow


@dataclass(frozen=True)
class Limited:
    """A limit that was exceeded: which one, and the seconds until its window ends."""

    kind: str
    retry_after: int


def hashed_key(kind: str, value: str) -> str:
    """Return ``kind:`` and a keyed hash of ``value``, so stored keys reveal no address or name."""
    digest = salted_hmac("oohdesk.security.ratelimit", value, algorithm="sha256").hexdigest()
    return f"{kind}:{digest[:64]}"


def window_start(at: datetime, window_seconds: int) -> datetime:
    epoch_seconds = int(at.timestamp())
    return datetime.fromtimestamp(epoch_seconds - epoch_seconds % window_seconds, timezone.utc)


def hit(key: str, limit: int, at: datetime) -> Limited | None:
    """Count one hit on ``key`` at ``at``; return Limited if this hit is over ``limit`` (0 means no limit)."""
    if limit <= 0:
        return None
    window_seconds = settings.OOHDESK_RATE_LIMIT_WINDOW_SECONDS
    start = window_start(at, window_seconds)
    with transaction.atomic():
        if not RateLimitWindow.objects.filter(key=key, window_start=start).update(hits=F("hits") + 1):
            _open_window(key, start, window_seconds)
        hits = RateLimitWindow.objects.filter(key=key, window_start=start).values_list("hits", flat=True).get()
    if hits <= limit:
        return None
    retry_after = max(int((start + timedelta(seconds=window_seconds) - at).total_seconds()), 1)
    return Limited(kind=key.split(":", 1)[0], retry_after=retry_after)


def _open_window(key: str, start: datetime, window_seconds: int) -> None:
    try:
        with transaction.atomic():
            RateLimitWindow.objects.create(key=key, window_start=start, hits=1)
    except IntegrityError:
        # Another process opened the same window a moment ago.
        RateLimitWindow.objects.filter(key=key, window_start=start).update(hits=F("hits") + 1)
        return
    RateLimitWindow.objects.filter(window_start__lt=start - timedelta(seconds=window_seconds)).delete()


def client_ip(request) -> str:
    """Return the client's address: REMOTE_ADDR, or the one the trusted proxies put in X-Forwarded-For.

    With OOHDESK_PROXY_COUNT proxies in front, each appends the address it
    received from, so the client is that many entries from the right; entries
    further left were sent by the client and cannot be trusted.
    """
    proxies = settings.OOHDESK_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def organisation_key(organisation: str) -> str:
    """Normalise an organisation's name so "ACME  Ltd" and "acme ltd" share a limit."""
    return " ".join(organisation.casefold().split())
