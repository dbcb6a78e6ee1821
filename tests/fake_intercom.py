"""A small Intercom REST API on 127.0.0.1, as far as oohdesk uses it.

It follows Intercom's published API: a bearer token and an Intercom-Version
header on every call, ``GET /contacts/{id}`` returning a contact, and
``POST /tickets/{id}/reply`` or ``POST /conversations/{id}/reply`` taking
``message_type``, ``type`` "admin", ``admin_id`` and ``body``. Errors come as
an ``error.list``. Every request is recorded for the tests to read.
"""

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY_PATH = re.compile(r"^/(tickets|conversations)/([^/]+)/reply$")
CONTACT_PATH = re.compile(r"^/contacts/([^/]+)$")


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: dict | None


def error_list(code: str, message: str) -> dict:
    return {"type": "error.list", "request_id": uuid.uuid4().hex, "errors": [{"code": code, "message": message}]}


class FakeIntercom:
    def __init__(self, token: str = "intercom-test-token"):
        self.token = token
        self.contacts: dict[str, dict] = {}
        self.requests: list[Recorded] = []
        self.reply_status: int | None = None
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()

    def replies(self) -> list[Recorded]:
        with self._lock:
            return [request for request in self.requests if request.method == "POST"]

    def wait_for_replies(self, count: int, timeout: float) -> list[Recorded]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.replies()) < count:
            time.sleep(0.05)
        return self.replies()

    def _record(self, request: Recorded) -> None:
        with self._lock:
            self.requests.append(request)

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    self._send(401, error_list("unauthorized", "Access Token Invalid"))
                    return False
                if not self.headers.get("Intercom-Version"):
                    self._send(400, error_list("intercom_version_invalid", "Intercom-Version header missing"))
                    return False
                return True

            def do_GET(self):
                fake._record(Recorded("GET", self.path, dict(self.headers), None))
                if not self._authorised():
                    return
                match = CONTACT_PATH.match(self.path)
                contact = fake.contacts.get(match.group(1)) if match else None
                if contact is None:
                    self._send(404, error_list("not_found", "User Not Found"))
                    return
                self._send(200, contact)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                try:
                    body = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    body = None
                fake._record(Recorded("POST", self.path, dict(self.headers), body))
                if not self._authorised():
                    return
                match = REPLY_PATH.match(self.path)
                if match is None:
                    self._send(404, error_list("not_found", "Resource Not Found"))
                    return
                problem = self._reply_problem(body)
                if problem:
                    self._send(400, error_list("parameter_invalid", problem))
                    return
                if fake.reply_status:
                    self._send(fake.reply_status, error_list("service_unavailable", "Try again later"))
                    return
                self._send(200, self._reply_answer(match.group(1), match.group(2), body))

            @staticmethod
            def _reply_problem(body) -> str | None:
                if not isinstance(body, dict):
                    return "Body must be a JSON object"
                if body.get("message_type") not in ("comment", "note", "quick_reply"):
                    return "message_type must be comment, note or quick_reply"
                if body.get("type") != "admin" or not body.get("admin_id"):
                    return "type must be admin, with an admin_id"
                if not body.get("body"):
                    return "body is required for comment and note"
                return None

            @staticmethod
            def _reply_answer(kind: str, object_id: str, body: dict) -> dict:
                now = int(time.time())
                if kind == "tickets":
                    return {
                        "type": "ticket_part",
                        "id": str(uuid.uuid4().int)[:9],
                        "part_type": body["message_type"],
                        "body": body["body"],
                        "created_at": now,
                        "updated_at": now,
                        "author": {"type": "admin", "id": body["admin_id"], "name": "Support bot"},
                        "attachments": [],
                        "redacted": False,
                    }
                return {"type": "conversation", "id": object_id, "created_at": now, "updated_at": now, "open": True}

        return Handler
