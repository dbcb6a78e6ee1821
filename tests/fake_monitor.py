"""A monitor on 127.0.0.1 that records each request, like a Healthchecks.io check, and can hang."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeMonitor:
    def __init__(self):
        self.requests: list[tuple[str, str, bytes]] = []
        self.hang_seconds = 0.0
        monitor = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if monitor.hang_seconds:
                    time.sleep(monitor.hang_seconds)
                monitor.requests.append((self.command, self.path, body))
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"OK")
                except BrokenPipeError:
                    pass  # the client timed out while the monitor hung

            do_GET = do_POST = do_HEAD = _record

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ping/check-uuid"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.requests) < count:
            time.sleep(0.02)
        return len(self.requests)
