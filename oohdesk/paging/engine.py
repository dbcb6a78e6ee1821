"""The paging engine: a loop that escalates due pages and sends due notifications.

Any number of engines may run against one PostgreSQL database; each claims
its own work. Sends run on a thread pool so a slow provider never holds up
the loop or other sends, and at most OOHDESK_ENGINE_CHANNEL_WORKERS of them
use one channel at once, so a provider that hangs leaves workers for the rest.

Each loop also releases held P3 tickets whose working hours have begun and
reminds teams of overdue responses; both only queue normal-priority notices.
"""

import logging
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Protocol

from django import db
from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from oohdesk.operations.deadman import DeadMansSwitch
from oohdesk.paging.dispatch import claim_due, claim_due_attempts, send_attempt
from oohdesk.paging.escalation import escalate_due_pages
from oohdesk.paging.models import EngineHeartbeat

logger = logging.getLogger(__name__)

from oohdesk.paging.releases import release_held_tickets
from oohdesk.paging.targets import remind_overdue_tickets
from oohdesk.paging.wakeup import listen_for_work, wake, wake_after_commit, work_waiting

# The wake-up functions and work_waiting stay importable from here, where callers found them first.
__all__ = ["Engine", "register_worker", "run_once", "wake", "wake_after_commit", "work_waiting"]

# Handover notices are due at whole minutes at most, so looking once a minute is enough.
HANDOVER_CHECK_EVERY = timedelta(seconds=60)
# Held tickets wait for working hours and reminders for response targets, both
# minutes away, so checking them every few seconds rather than on every
# wake-up saves each loop two queries without making either noticeably late.
HOUSEKEEPING_EVERY = timedelta(seconds=5)
# Prefix of the in-flight counts kept per notification channel.
CHANNEL = "channel:"
# Heartbeat rows of engines that stopped this long ago are deleted.
FORGET_HEARTBEATS_AFTER = timedelta(days=1)
# While the loop keeps failing, it waits longer between tries, up to this, and
# repeats the full traceback in the log at most this often.
MAX_FAILURE_PAUSE_SECONDS = 5.0
FAILURE_LOG_EVERY_SECONDS = 60.0


class Worker(Protocol):
    """Due work another app hands to the engine, done like notification attempts.

    ``claim`` marks up to ``limit`` due rows as taken under a lease and returns
    their ids; ``run`` handles one claimed id and records its own failures.
    A worker runs at most ``concurrency`` items at once, on threads of its own,
    so a slow provider behind it never holds up pages.
    """

    name: str
    concurrency: int

    def claim(self, at: datetime, limit: int) -> list[int]: ...

    def run(self, item_id: int, at: datetime | None = None) -> None: ...


# Filled from AppConfig.ready, for example with webhook deliveries and customer messages.
WORKERS: list[Worker] = []


def register_worker(worker: Worker) -> None:
    if all(existing.name != worker.name for existing in WORKERS):
        WORKERS.append(worker)


class Engine:
    def __init__(self, workers: int | None = None, poll_seconds: float | None = None):
        self.workers = workers or settings.OOHDESK_ENGINE_WORKERS
        self.poll_seconds = poll_seconds or settings.OOHDESK_ENGINE_POLL_SECONDS
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()
        self._in_flight: dict[str, int] = {}
        self._last_handover_check = None
        self._last_housekeeping = None
        # Whether the last claim of notifications hit a limit, so some may still be due.
        self._sends_waiting = False
        self._lock = threading.Lock()
        self._last_heartbeat = None
        self.heartbeat_every = timedelta(seconds=settings.OOHDESK_ENGINE_HEARTBEAT_SECONDS)
        self.deadman = DeadMansSwitch.from_settings(self.name)
        self._failures = 0
        self._failure_logged_at = 0.0

    def run(self) -> None:
        """Loop until ``stop`` is called.

        A failed loop (the database gone, or a bug) is logged and tried again,
        waiting longer each time up to MAX_FAILURE_PAUSE_SECONDS, so the engine
        reconnects by itself once the database is back.
        """
        logger.info("engine started name=%s workers=%s", self.name, self.workers)
        threads = self.workers + sum(worker.concurrency for worker in WORKERS)
        if connections["default"].vendor == "postgresql":
            threading.Thread(target=listen_for_work, args=(self.stopping,), name="oohdesk-wakeup", daemon=True).start()
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="oohdesk-send") as pool:
            while not self.stopping.is_set():
                try:
                    self.tick(pool)
                except Exception as error:
                    self._loop_failed(error)
                else:
                    self._loop_recovered()
                work_waiting.wait(self._pause())
                work_waiting.clear()
        self._forget()
        logger.info("engine stopped name=%s", self.name)

    def _loop_failed(self, error: Exception) -> None:
        self._failures += 1
        # db.Error is the base of every database exception, InterfaceError included.
        if isinstance(error, db.Error):
            close_old_connections()
            connections.close_all()
        now = time.monotonic()
        if self._failures == 1 or now - self._failure_logged_at >= FAILURE_LOG_EVERY_SECONDS:
            logger.exception("engine loop failed; retrying failures=%s", self._failures)
            self._failure_logged_at = now
        else:
            logger.warning("engine loop failed again; retrying failures=%s error=%s", self._failures, type(error).__name__)

    def _loop_recovered(self) -> None:
        if self._failures:
            logger.info("engine loop working again after failures=%s", self._failures)
            self._failures = 0

    def _pause(self) -> float:
        if not self._failures:
            return self.poll_seconds
        return min(self.poll_seconds * 2 ** min(self._failures, 10), MAX_FAILURE_PAUSE_SECONDS)

    def _forget(self) -> None:
        """Delete this engine's heartbeat on a clean stop, so health checks see the stop at once."""
        try:
            EngineHeartbeat.objects.filter(name=self.name).delete()
        except db.Error as error:
            logger.warning("engine heartbeat not removed on stop name=%s error=%s", self.name, type(error).__name__)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
        work_waiting.set()

    def tick(self, pool: ThreadPoolExecutor) -> None:
        now = timezone.now()
        escalate_due_pages(now)
        self._housekeeping(now)
        with self._lock:
            busy = {kind.removeprefix(CHANNEL): count for kind, count in self._in_flight.items() if kind.startswith(CHANNEL)}
        per_channel = settings.OOHDESK_ENGINE_CHANNEL_WORKERS
        free = self._free("attempt", self.workers)
        claimed = claim_due(now, free, busy, per_channel)
        for attempt_id, channel in claimed:
            self._submit(pool, "attempt", send_attempt, attempt_id, channel)
            busy[channel] = busy.get(channel, 0) + 1
        # A claim cut short by a limit may have left notifications due, so the
        # next finished send wakes the loop rather than waiting for the poll.
        # Other work (receipt polls, customer emails) is not urgent and waits.
        self._sends_waiting = len(claimed) >= free or any(count >= per_channel for count in busy.values())
        for worker in WORKERS:
            for item_id in worker.claim(now, self._free(worker.name, worker.concurrency)):
                self._submit(pool, worker.name, worker.run, item_id)
        self._handovers(now)
        self._beat(now)

    def _housekeeping(self, now) -> None:
        if self._last_housekeeping and now - self._last_housekeeping < HOUSEKEEPING_EVERY:
            return
        self._last_housekeeping = now
        release_held_tickets(now)
        remind_overdue_tickets(now)

    def _handovers(self, now) -> None:
        if self._last_handover_check and now - self._last_handover_check < HANDOVER_CHECK_EVERY:
            return
        self._last_handover_check = now
        queue_handovers(now)

    def _free(self, kind: str, concurrency: int) -> int:
        with self._lock:
            return concurrency - self._in_flight.get(kind, 0)

    def _submit(self, pool: ThreadPoolExecutor, kind: str, run, item_id: int, channel: str | None = None) -> None:
        """Run one claimed item on the pool, counting it against ``kind`` and, for a send, its channel."""
        kinds = [kind] if channel is None else [kind, CHANNEL + channel]
        with self._lock:
            for counted in kinds:
                self._in_flight[counted] = self._in_flight.get(counted, 0) + 1
        pool.submit(self._run, kinds, run, item_id)

    def _run(self, kinds: list[str], run, item_id: int) -> None:
        try:
            run(item_id)
        except Exception:
            # The lease will expire and the item will be claimed again.
            logger.exception("engine work crashed kind=%s id=%s", kinds[0], item_id)
        finally:
            connections.close_all()
            with self._lock:
                for counted in kinds:
                    self._in_flight[counted] -= 1
            if kinds[0] == "attempt" and self._sends_waiting:
                work_waiting.set()

    def _beat(self, now) -> None:
        """Record that this engine completed a loop, and ping the dead man's switch, every heartbeat interval."""
        if self._last_heartbeat and now - self._last_heartbeat < self.heartbeat_every:
            return
        EngineHeartbeat.objects.update_or_create(name=self.name, defaults={"seen_at": now})
        EngineHeartbeat.objects.filter(seen_at__lt=now - FORGET_HEARTBEATS_AFTER).delete()
        self._last_heartbeat = now
        self.deadman.ping()


def queue_handovers(at) -> None:
    """Queue the handover notices due by ``at``; a failure is logged so that it never stops paging."""
    from oohdesk.rota.handovers import queue_handover_notices

    try:
        queue_handover_notices(at)
    except db.Error:
        raise
    except Exception:
        logger.exception("queueing handover notices failed; paging goes on")


def run_once(at=None) -> None:
    """Do everything due at ``at`` synchronously, until nothing is left; for tests and the command line."""
    at = at or timezone.now()
    queue_handovers(at)
    release_held_tickets(at)
    remind_overdue_tickets(at)
    while True:
        done = 0
        for worker in WORKERS:
            for item_id in worker.claim(at, 100):
                worker.run(item_id, at)
                done += 1
        escalate_due_pages(at)
        for attempt_id in claim_due_attempts(at, limit=100):
            send_attempt(attempt_id, at)
            done += 1
        if not done:
            return
