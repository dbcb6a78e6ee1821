"""A small threaded HTTP server on 127.0.0.1 that records requests and can fail or hang on demand."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, urlsplit

# The longest a hanging request is held, so a test can never wait forever.
MAX_HANG_SECONDS = 60


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes
    form: list[tuple[str, str]] = field(default_factory=list)
    # Arrival time, by time.monotonic() for intervals and by time.time() for comparing with times the product stores.
    arrived_at: float = field(default_factory=time.monotonic)
    arrived_wall: float = field(default_factory=time.time)

    @property
    def fields(self) -> dict:
        """The form fields, a repeated name keeping its last value."""
        return dict(self.form)

    def json(self):
        return json.loads(self.body)


@dataclass
class Reply:
    status: int
    body: object = ""
    content_type: str = "application/json"


class FakeServer:
    """Subclasses implement ``route(request) -> Reply``.

    ``fail_with`` answers every request with that reply; ``hang`` holds each
    request until ``release`` is set (at most MAX_HANG_SECONDS), then answers normally.
    ``received`` is set when a request arrives, ``answered`` once one has been handled.
    """

    def __init__(self):
        self.requests: list[Recorded] = []
        self.fail_with: Reply | None = None
        self.hang = False
        self.hanging = 0
        self.received = threading.Event()
        self.answered = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
        self.received.set()
        if self.hang:
            with self._lock:
                self.hanging += 1
            self.release.wait(MAX_HANG_SECONDS)
            with self._lock:
                self.hanging -= 1
        reply = self.fail_with if self.fail_with is not None else self.route(request)
        self.answered.set()
        return reply

    def route(self, request: Recorded) -> Reply:
        raise NotImplementedError


def _handler_for(fake: FakeServer):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            arrived_at, arrived_wall = time.monotonic(), time.time()
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            form = []
            if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                form = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
            request = Recorded(
                method=self.command,
                path=parts.path,
                query={key: values[-1] for key, values in parse_qs(parts.query).items()},
                headers={key.lower(): value for key, value in self.headers.items()},
                body=body,
                form=form,
                arrived_at=arrived_at,
                arrived_wall=arrived_wall,
            )
            reply = fake.handle(request)
            payload = reply.body if isinstance(reply.body, (str, bytes)) else json.dumps(reply.body)
            data = payload.encode("utf-8") if isinstance(payload, str) else payload
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # The client gave up waiting, as a timed-out client does.

        do_GET = do_POST = do_PUT = _serve

        def log_message(self, format, *args):
            pass

    return Handler
