"""A fake Twilio REST API (2010-04-01) for calls and messages, and the requests Twilio makes back.

Requests use HTTP basic authentication by account SID and auth token; errors
are JSON with ``code``, ``message``, ``more_info`` and ``status``. A call's
``Url`` is fetched for TwiML when it is answered, a Gather's ``action``
receives ``Digits``, and status callbacks carry CallStatus or MessageStatus.
Every request back to the application is signed in X-Twilio-Signature:
base64 HMAC-SHA1, keyed with the auth token, of the URL followed by each
parameter's name and value sorted by name.
"""

import base64
import hashlib
import hmac
import re
import secrets
import xml.etree.ElementTree as ElementTree

import httpx

from fakes.server import FakeServer, Recorded, Reply

E164 = re.compile(r"\+[1-9]\d{6,14}")
CALL_PATH = re.compile(r"/2010-04-01/Accounts/(\w+)/Calls/(CA\w+)\.json")


def twilio_signature(url: str, params: list[tuple[str, str]], auth_token: str) -> str:
    signed = url
    for name, value in sorted(params):
        signed += name + value
    return base64.b64encode(hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


class FakeTwilio(FakeServer):
    def __init__(self, account_sid: str, auth_token: str):
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.invalid_numbers: set[str] = set()
        self.calls: dict[str, dict] = {}
        self.messages: dict[str, dict] = {}

    def route(self, request: Recorded) -> Reply:
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return _error(401, 20003, "Authenticate")
        base = f"/2010-04-01/Accounts/{self.account_sid}"
        if request.path == f"{base}/Calls.json":
            return self._create(request, self.calls, "CA", ["To", "From", "Url"])
        if request.path == f"{base}/Messages.json":
            return self._create(request, self.messages, "SM", ["To", "From", "Body"])
        if match := CALL_PATH.fullmatch(request.path):
            return self._update_call(match[2], request.fields)
        return _error(404, 20404, "The requested resource was not found")

    def _create(self, request: Recorded, store: dict, prefix: str, required: list[str]) -> Reply:
        fields = request.fields
        for name in required:
            if not fields.get(name):
                return _error(400, 21201 if name == "To" else 21603, f"A '{name}' parameter is required.")
        if not E164.fullmatch(fields["To"]) or fields["To"] in self.invalid_numbers:
            return _error(400, 21211, f"The 'To' number {fields['To']} is not a valid phone number.")
        sid = prefix + secrets.token_hex(16)
        store[sid] = {
            "sid": sid,
            "status": "queued",
            "params": fields,
            "events": [value for name, value in request.form if name == "StatusCallbackEvent"],
        }
        return Reply(201, {"sid": sid, "account_sid": self.account_sid, "to": fields["To"], "from": fields["From"], "status": "queued"})

    def _update_call(self, sid: str, fields: dict) -> Reply:
        call = self.calls.get(sid)
        if call is None:
            return _error(404, 20404, "The requested resource was not found")
        if call["status"] in {"completed", "canceled", "busy", "no-answer", "failed"}:
            return _error(400, 21220, "Call is not in-progress. Cannot redirect.")
        call["status"] = fields.get("Status", call["status"])
        return Reply(200, {"sid": sid, "status": call["status"]})

    # What Twilio does back to the application.

    def post_signed(self, url: str, params: dict, auth_token: str | None = None) -> httpx.Response:
        """POST ``params`` to the application, signed with the auth token (or a forged one)."""
        pairs = list(params.items())
        signature = twilio_signature(url, pairs, auth_token or self.auth_token)
        return httpx.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)

    def call_params(self, sid: str, **extra) -> dict:
        call = self.calls[sid]
        return {
            "AccountSid": self.account_sid, "CallSid": sid, "From": call["params"]["From"], "To": call["params"]["To"],
            "Direction": "outbound-api", "ApiVersion": "2010-04-01", **extra,
        }

    def answer(self, sid: str, answered_by: str = "human") -> str:
        """Answer the call: report the answered event if asked for, then fetch the TwiML from Url and return it."""
        self.calls[sid]["status"] = "in-progress"
        if "answered" in self.calls[sid]["events"]:
            self.status(sid, "in-progress")
        response = self.post_signed(self.calls[sid]["params"]["Url"], self.call_params(sid, CallStatus="in-progress", AnsweredBy=answered_by))
        response.raise_for_status()
        return response.text

    def press(self, sid: str, twiml: str, digits: str) -> str:
        """Press ``digits`` during the Gather in ``twiml``; return the TwiML its action answers."""
        gather = ElementTree.fromstring(twiml).find("Gather")
        response = self.post_signed(gather.get("action"), self.call_params(sid, CallStatus="in-progress", Digits=digits))
        response.raise_for_status()
        return response.text

    def end(self, sid: str, status: str = "completed") -> httpx.Response:
        """End the call and send its final status callback."""
        self.calls[sid]["status"] = status
        return self.status(sid, status)

    def status(self, sid: str, status: str) -> httpx.Response:
        record = self.calls.get(sid) or self.messages[sid]
        key = "CallStatus" if sid.startswith("CA") else "MessageStatus"
        params = {"AccountSid": self.account_sid, ("CallSid" if sid.startswith("CA") else "MessageSid"): sid, key: status}
        return self.post_signed(record["params"]["StatusCallback"], params)

    def reply_sms(self, url: str, sender: str, body: str, auth_token: str | None = None) -> httpx.Response:
        """Deliver an incoming SMS to the number's messaging webhook at ``url``."""
        params = {
            "AccountSid": self.account_sid, "MessageSid": "SM" + secrets.token_hex(16), "From": sender,
            "To": "+441234567890", "Body": body, "NumMedia": "0",
        }
        return self.post_signed(url, params, auth_token)


def _error(status: int, code: int, message: str) -> Reply:
    return Reply(status, {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status})
