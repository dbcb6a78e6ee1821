"""What /healthz reports: whether the database responds and an engine has beaten recently."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django import db
from django.conf import settings
from django.db import connection

from oohdesk.paging.models import EngineHeartbeat

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    database_ok: bool
    engine_ok: bool
    live_engines: int
    heartbeat_age_seconds: float | None
    problem: str

    @property
    def ok(self) -> bool:
        return self.database_ok and self.engine_ok

    def as_json(self) -> dict:
        return {
            "status": "ok" if self.ok else "failing",
            "problem": self.problem,
            "database": {"ok": self.database_ok},
            "engine": {
                "ok": self.engine_ok,
                "live_engines": self.live_engines,
                "last_heartbeat_seconds_ago": self.heartbeat_age_seconds,
                "max_age_seconds": settings.OOHDESK_HEALTH_ENGINE_MAX_AGE,
            },
        }


def check_health(at: datetime) -> Health:
    """Check the database and the engines' heartbeats at ``at``.

    An engine is live when its heartbeat is at most OOHDESK_HEALTH_ENGINE_MAX_AGE
    seconds old. With the database unreachable the engines cannot be checked,
    and they cannot page either, so both count as failing.
    """
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        newest = EngineHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        max_age = timedelta(seconds=settings.OOHDESK_HEALTH_ENGINE_MAX_AGE)
        live = EngineHeartbeat.objects.filter(seen_at__gte=at - max_age).count()
    except db.Error as error:
        logger.warning("health check: database unreachable error=%s", type(error).__name__)
        return Health(False, False, 0, None, "The database is unreachable.")

    age = round((at - newest).total_seconds(), 1) if newest else None
    if newest is None:
        return Health(True, False, 0, None, "No paging engine has ever run against this database.")
    if live == 0:
        return Health(True, False, 0, age, f"No paging engine has reported for {age:g} seconds.")
    return Health(True, True, live, age, "")
