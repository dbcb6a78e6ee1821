"""The paging engine: a loop that escalates due pages and sends due notifications.

Each loop also releases held P3 tickets whose working hours have begun and
reminds teams of overdue responses; both only queue normal-priority notices.

Any number of engines may run against one PostgreSQL database; each claims
its own work. Sends run on a thread pool so a slow provider never holds up
the loop or other sends.
"""

import logging
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone

from oohdesk.paging.dispatch import claim_due_attempts, send_attempt
from oohdesk.paging.escalation import escalate_due_pages
from oohdesk.paging.models import EngineHeartbeat
from oohdesk.paging.releases import release_held_tickets
from oohdesk.paging.targets import remind_overdue_tickets
from oohdesk.paging.wakeup import wake, work_waiting

# wake and work_waiting stay importable from here, where callers found them first.
__all__ = ["Engine", "run_once", "wake", "work_waiting"]

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = timedelta(seconds=10)
# Handover notices are due at whole minutes at most, so looking once a minute is enough.
HANDOVER_CHECK_EVERY = timedelta(seconds=60)

class Engine:
    def __init__(self, workers: int | None = None, poll_seconds: float | None = None):
        self.workers = workers or settings.OOHDESK_ENGINE_WORKERS
        self.poll_seconds = poll_seconds or settings.OOHDESK_ENGINE_POLL_SECONDS
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()
        self._in_flight = 0
        self._lock = threading.Lock()
        self._last_heartbeat = None
        self._last_handover_check = None

    def run(self) -> None:
        """Loop until ``stop`` is called; database errors are logged and retried."""
        logger.info("engine started name=%s workers=%s", self.name, self.workers)
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="oohdesk-send") as pool:
            while not self.stopping.is_set():
                try:
                    self.tick(pool)
                except DatabaseError:
                    logger.exception("engine loop failed on a database error; retrying")
                    close_old_connections()
                    connections.close_all()
                work_waiting.wait(self.poll_seconds)
                work_waiting.clear()
        logger.info("engine stopped name=%s", self.name)

    def stop(self) -> None:
        self.stopping.set()
        work_waiting.set()

    def tick(self, pool: ThreadPoolExecutor) -> None:
        now = timezone.now()
        escalate_due_pages(now)
        release_held_tickets(now)
        remind_overdue_tickets(now)
        with self._lock:
            free = self.workers - self._in_flight
        for attempt_id in claim_due_attempts(now, limit=free):
            with self._lock:
                self._in_flight += 1
            pool.submit(self._send, attempt_id)
        self._handovers(now)
        self._beat(now)

    def _handovers(self, now) -> None:
        if self._last_handover_check and now - self._last_handover_check < HANDOVER_CHECK_EVERY:
            return
        self._last_handover_check = now
        queue_handovers(now)

    def _send(self, attempt_id: int) -> None:
        try:
            send_attempt(attempt_id)
        except Exception:
            # The lease will expire and the attempt will be claimed again.
            logger.exception("sending attempt crashed attempt=%s", attempt_id)
        finally:
            connections.close_all()
            with self._lock:
                self._in_flight -= 1

    def _beat(self, now) -> None:
        if self._last_heartbeat and now - self._last_heartbeat < HEARTBEAT_EVERY:
            return
        EngineHeartbeat.objects.update_or_create(name=self.name, defaults={"seen_at": now})
        self._last_heartbeat = now


def queue_handovers(at) -> None:
    """Queue the handover notices due by ``at``; a failure is logged so that it never stops paging."""
    from oohdesk.rota.handovers import queue_handover_notices

    try:
        queue_handover_notices(at)
    except DatabaseError:
        raise
    except Exception:
        logger.exception("queueing handover notices failed; paging goes on")


def run_once(at=None) -> None:
    """Escalate, release, remind and send everything due at ``at`` synchronously; for tests and the command line."""
    at = at or timezone.now()
    escalate_due_pages(at)
    queue_handovers(at)
    release_held_tickets(at)
    remind_overdue_tickets(at)
    while True:
        ids = claim_due_attempts(at, limit=100)
        if not ids:
            return
        for attempt_id in ids:
            send_attempt(attempt_id, at)
