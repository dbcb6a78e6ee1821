"""A fake ntfy server: JSON publishing to the root URL, access tokens and action buttons.

It follows https://docs.ntfy.sh/publish/: the JSON body names the topic, and
the answer is the stored message with its ``id``. Errors are JSON with
``code``, ``http`` and ``error``. Pressing an ``http`` action sends the
action's method, headers and body to its URL, as the phone app does.
"""

import secrets
import time

import httpx

from fakes.server import FakeServer, Recorded, Reply


class FakeNtfy(FakeServer):
    def __init__(self, token: str = ""):
        super().__init__()
        self.token = token
        self.published: list[dict] = []

    def route(self, request: Recorded) -> Reply:
        if request.method not in ("POST", "PUT") or request.path != "/":
            return Reply(404, {"code": 40401, "http": 404, "error": "page not found"})
        if self.token and request.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(403, {"code": 40301, "http": 403, "error": "forbidden"})
        try:
            body = request.json()
        except ValueError:
            return Reply(400, {"code": 40024, "http": 400, "error": "invalid request: JSON body invalid"})
        if not body.get("topic"):
            return Reply(400, {"code": 40009, "http": 400, "error": "invalid request: topic invalid"})
        now = int(time.time())
        message = {"id": secrets.token_hex(6), "time": now, "expires": now + 43200, "event": "message", **body}
        for action in message.get("actions", []):
            action["id"] = secrets.token_hex(5)
        self.published.append(message)
        return Reply(200, message)

    def press(self, message: dict, label: str) -> httpx.Response:
        [action] = [action for action in message.get("actions", []) if action["label"] == label]
        return httpx.request(
            action.get("method", "POST"), action["url"], headers=action.get("headers", {}),
            content=action.get("body", ""), timeout=10,
        )


class FakeReceiver(FakeServer):
    """A web endpoint that records every request and answers 200: an outgoing webhook's or a chat service's."""

    def route(self, request: Recorded) -> Reply:
        return Reply(200, {"ok": True})
