"""The dead man's switch: the engine pings an external monitor on each heartbeat.

A monitor such as a Healthchecks.io check alerts when the pings stop, which
covers what /healthz cannot: the whole host or the database being down. The
ping runs on its own thread, so a slow or hanging monitor never delays paging.
"""

import logging
import threading

import httpx
from django.conf import settings

from oohdesk.paging.channels.http import tls_context

logger = logging.getLogger(__name__)


class DeadMansSwitch:
    """Pings ``url`` with ``method``; with no URL, ``ping`` does nothing."""

    def __init__(self, url: str, method: str, timeout: float, engine_name: str):
        self.url = url
        self.method = method
        self.timeout = timeout
        self.engine_name = engine_name
        self._busy = threading.Lock()

    @classmethod
    def from_settings(cls, engine_name: str) -> "DeadMansSwitch":
        return cls(
            settings.OOHDESK_DEADMAN_URL,
            settings.OOHDESK_DEADMAN_METHOD,
            settings.OOHDESK_DEADMAN_TIMEOUT,
            engine_name,
        )

    def ping(self) -> threading.Thread | None:
        """Start one ping in the background and return its thread; skip it while the last one still runs."""
        if not self.url:
            return None
        if not self._busy.acquire(blocking=False):
            logger.warning("dead man's switch ping skipped: the previous ping has not finished engine=%s", self.engine_name)
            return None
        thread = threading.Thread(target=self._send, name="oohdesk-deadman", daemon=True)
        thread.start()
        return thread

    def _send(self) -> None:
        # The URL is not logged: monitors such as Healthchecks.io put the check's secret in it.
        body = f"oohdesk engine {self.engine_name} is running\n" if self.method == "POST" else None
        try:
            response = httpx.request(self.method, self.url, content=body, timeout=self.timeout, verify=tls_context())
        except httpx.HTTPError as error:
            logger.warning("dead man's switch ping failed engine=%s error=%s", self.engine_name, type(error).__name__)
            return
        finally:
            self._busy.release()
        if response.status_code >= 400:
            logger.warning(
                "dead man's switch ping rejected engine=%s status=%s", self.engine_name, response.status_code
            )
