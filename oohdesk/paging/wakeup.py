"""The signal that new paging work is waiting, kept apart from the engine so that any module can send it.

The web process calls ``wake`` once it commits new work. An engine in the same
process (``oohdesk serve``) sees the event at once. On PostgreSQL, ``wake``
also sends a NOTIFY, and every engine process listens for it on a connection
of its own, so a separate ``oohdesk engine`` starts at once too instead of at
its next poll. Polling stays as the fallback whenever a notification is lost.
"""

import logging
import threading

from django import db
from django.db import connections, transaction

logger = logging.getLogger(__name__)

work_waiting = threading.Event()

NOTIFY_CHANNEL = "oohdesk_work"
# How long one wait for notifications lasts before the listener checks whether to stop.
LISTEN_WAIT_SECONDS = 1.0
MAX_RECONNECT_PAUSE_SECONDS = 5.0


def wake() -> None:
    """Wake the engines now: the one in this process, and on PostgreSQL those in other processes."""
    work_waiting.set()
    connection = connections["default"]
    if connection.vendor == "postgresql":
        _notify(connection)


def wake_after_commit() -> None:
    """Wake the engines once the current transaction commits, or at once outside a transaction.

    On PostgreSQL the NOTIFY is sent inside the transaction: the server
    delivers it at commit, drops it on rollback, and delivers repeats within
    one transaction once, so a report that queues several kinds of work wakes
    each engine once.
    """
    connection = connections["default"]
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        _notify(connection)
        transaction.on_commit(work_waiting.set)
    else:
        transaction.on_commit(wake)


def _notify(connection) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {NOTIFY_CHANNEL}")
    except db.Error as error:
        # Engines in other processes find the work at their next poll instead.
        logger.warning("engine wake-up notification not sent error=%s", type(error).__name__)


def listen_for_work(stopping: threading.Event) -> None:
    """Set ``work_waiting`` whenever another process sends a wake-up, until ``stopping`` is set; PostgreSQL only.

    The listener keeps its own connection outside Django's, because Django's
    connections belong to one thread each. A lost connection is opened again,
    waiting longer each time up to MAX_RECONNECT_PAUSE_SECONDS.
    """
    import psycopg

    params = connections["default"].get_connection_params()
    failures = 0
    while not stopping.is_set():
        try:
            with psycopg.connect(**params, autocommit=True) as listener:
                listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
                failures = 0
                while not stopping.is_set():
                    for _notification in listener.notifies(timeout=LISTEN_WAIT_SECONDS):
                        work_waiting.set()
        except psycopg.Error as error:
            failures += 1
            if failures == 1:
                logger.warning("engine wake-up listener lost its connection; polling meanwhile error=%s", type(error).__name__)
            stopping.wait(min(0.5 * 2 ** min(failures, 10), MAX_RECONNECT_PAUSE_SECONDS))
