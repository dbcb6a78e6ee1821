"""Claiming due outbox rows under a lease, so several engines never take the same row.

The same scheme as notification attempts: due pending rows, and rows whose
lease ran out while taken (the engine died), are marked taken with a new
lease in one transaction (SKIP LOCKED on PostgreSQL; SQLite serialises
writers). Every claim counts as a try.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

logger = logging.getLogger(__name__)

# The maximum wait between two tries of one row.
MAX_RETRY_DELAY = timedelta(hours=1)


def claim_due(model, at: datetime, limit: int, taken_status: str) -> list[int]:
    """Mark up to ``limit`` due rows of ``model`` as ``taken_status`` under a lease; return their ids."""
    if limit <= 0:
        return []
    lease = timedelta(seconds=settings.OOHDESK_ENGINE_LEASE_SECONDS)
    due = model.objects.filter(
        Q(status=model.Status.PENDING, due_at__lte=at) | Q(status=taken_status, claimed_until__lt=at)
    ).order_by("due_at", "id")
    # A plain query first, as for notification attempts: most loops find nothing due.
    if not due.exists():
        return []
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        claimed = list(due.values_list("id", "status")[:limit])
        for row_id, status in claimed:
            if status == taken_status:
                logger.warning("lease expired, taking again model=%s id=%s", model.__name__, row_id)
        ids = [row_id for row_id, _status in claimed]
        model.objects.filter(id__in=ids).update(status=taken_status, claimed_until=at + lease, tries=F("tries") + 1)
    return ids


def retry_delay(tries: int) -> timedelta:
    """Return how long to wait after the ``tries``-th failed try: doubling from OOHDESK_SEND_RETRY_SECONDS, at most an hour."""
    seconds = settings.OOHDESK_SEND_RETRY_SECONDS * 2 ** min(max(tries - 1, 0), 20)
    return min(timedelta(seconds=seconds), MAX_RETRY_DELAY)
