"""A real SMTP server on 127.0.0.1 that records messages and can stall in the middle of one."""

import threading
import time
from email import message_from_bytes

from aiosmtpd.controller import Controller


class RecordingHandler:
    def __init__(self):
        self.messages = []
        self.data_started = threading.Event()
        self.stall_seconds = 0.0

    async def handle_DATA(self, server, session, envelope):
        self.data_started.set()
        if self.stall_seconds:
            import asyncio

            await asyncio.sleep(self.stall_seconds)
            return "451 Try again later"
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted"


class FakeSmtp:
    def __init__(self, port: int):
        self.handler = RecordingHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)
        self.port = port

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc_info):
        self.controller.stop()

    def wait_for(self, count: int, timeout: float) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.handler.messages) < count:
            time.sleep(0.05)
        return self.handler.messages
