"""A fake Pushover API: messages, receipts, cancellation and acknowledgement callbacks.

It follows https://pushover.net/api: form POSTs answered with JSON carrying
``status`` 1 on success, or a 4xx with ``status`` 0, an ``errors`` list and the
offending field set to "invalid". Emergency messages (priority 2) need
``retry`` of at least 30 and ``expire`` of at most 10800, and get a 30-character
receipt. The callback is a form POST of receipt, acknowledged, acknowledged_at,
acknowledged_by and acknowledged_by_device.
"""

import re
import secrets
import string
import time
import uuid

import httpx

from fakes.server import FakeServer, Recorded, Reply

RECEIPT_PATH = re.compile(r"/1/receipts/([A-Za-z0-9]+)\.json")
CANCEL_PATH = re.compile(r"/1/receipts/([A-Za-z0-9]+)/cancel\.json")
ALPHANUMERIC = string.ascii_letters + string.digits


def user_key() -> str:
    return "u" + "".join(secrets.choice(ALPHANUMERIC) for _ in range(29))


class FakePushover(FakeServer):
    def __init__(self, app_token: str):
        super().__init__()
        self.app_token = app_token
        self.users: set[str] = set()
        self.messages: list[dict] = []
        self.receipts: dict[str, dict] = {}

    def route(self, request: Recorded) -> Reply:
        if request.method == "POST" and request.path == "/1/messages.json":
            return self._message(request.fields)
        if request.method == "POST" and (match := CANCEL_PATH.fullmatch(request.path)):
            return self._cancel(match[1], request.fields)
        if request.method == "GET" and (match := RECEIPT_PATH.fullmatch(request.path)):
            return self._receipt(match[1], request.query)
        return Reply(404, {"status": 0, "errors": ["not found"], "request": str(uuid.uuid4())})

    def _message(self, fields: dict) -> Reply:
        if fields.get("token") != self.app_token:
            return _invalid("token", "application token is invalid")
        if fields.get("user") not in self.users:
            return _invalid("user", "user identifier is not a valid user, group, or subscribed user key")
        if not fields.get("message"):
            return _invalid("message", "message cannot be blank")
        priority = int(fields.get("priority", "0"))
        reply = {"status": 1, "request": str(uuid.uuid4())}
        if priority == 2:
            if int(fields.get("retry", "0")) < 30:
                return _invalid("retry", "retry must be at least 30 seconds")
            if not 0 < int(fields.get("expire", "0")) <= 10800:
                return _invalid("expire", "expire must be supplied with priority=2 and be at most 10800")
            receipt = "".join(secrets.choice(ALPHANUMERIC) for _ in range(30))
            self.receipts[receipt] = {"acknowledged": 0, "cancelled": False, "fields": fields}
            reply["receipt"] = receipt
        self.messages.append({**fields, "receipt": reply.get("receipt")})
        return Reply(200, reply)

    def _receipt(self, receipt: str, query: dict) -> Reply:
        if query.get("token") != self.app_token:
            return _invalid("token", "application token is invalid")
        state = self.receipts.get(receipt)
        if state is None:
            return _invalid("receipt", "receipt not found; may be invalid or expired", status=404)
        return Reply(200, {
            "status": 1,
            "acknowledged": state["acknowledged"],
            "acknowledged_at": state.get("acknowledged_at", 0),
            "acknowledged_by": state.get("acknowledged_by", ""),
            "acknowledged_by_device": "phone" if state["acknowledged"] else "",
            "last_delivered_at": int(time.time()),
            "expired": 1 if state["cancelled"] else 0,
            "expires_at": int(time.time()) + int(state["fields"]["expire"]),
            "called_back": 1 if state.get("called_back") else 0,
            "called_back_at": 0,
            "request": str(uuid.uuid4()),
        })

    def _cancel(self, receipt: str, fields: dict) -> Reply:
        if fields.get("token") != self.app_token:
            return _invalid("token", "application token is invalid")
        if receipt not in self.receipts:
            return _invalid("receipt", "receipt not found; may be invalid or expired", status=404)
        self.receipts[receipt]["cancelled"] = True
        return Reply(200, {"status": 1, "request": str(uuid.uuid4())})

    def acknowledge(self, receipt: str, call_back: bool = True) -> httpx.Response | None:
        """Acknowledge as the user does on the phone; POST the callback when the message had one."""
        state = self.receipts[receipt]
        state["acknowledged"] = 1
        state["acknowledged_at"] = int(time.time())
        state["acknowledged_by"] = state["fields"]["user"]
        callback = state["fields"].get("callback")
        if not (call_back and callback):
            return None
        state["called_back"] = True
        return httpx.post(callback, data={
            "receipt": receipt,
            "acknowledged": "1",
            "acknowledged_at": str(state["acknowledged_at"]),
            "acknowledged_by": state["acknowledged_by"],
            "acknowledged_by_device": "phone",
        }, timeout=10)


def _invalid(field: str, error: str, status: int = 400) -> Reply:
    return Reply(status, {field: "invalid", "errors": [error], "status": 0, "request": str(uuid.uuid4())})
