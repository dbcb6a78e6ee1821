"""Log formatters: plain text or one JSON object a line, both with personal data and secrets masked.

oohdesk's own log lines carry their ids as ``key=value`` pairs (``ticket=OOH-7QK2MD
page=12``); the JSON formatter lifts those pairs into fields of their own. Both
formatters scrub what must never reach a log even if a caller slips: email
addresses, the tokens in acknowledgement and status links, bearer and API
tokens, and international phone numbers.
"""

import json
import logging
import re
from datetime import datetime, timezone

# Tokens are the path segment after these prefixes.
TOKEN_PATH = re.compile(r"(/(?:ack|status|report/received)/)[^/\s\"']+")
BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',]+")
API_TOKEN = re.compile(r"\booh_[A-Za-z0-9_-]+")
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Only numbers written with a leading +, so that ids, times and counts are left alone.
PHONE = re.compile(r"\+\d[\d ().-]{5,}\d")
KEY_VALUE = re.compile(r"(?<![\w.])([a-z_]+)=([^\s,;]+)")


def redact(text: str) -> str:
    """Return ``text`` with link tokens, bearer and API tokens, email addresses and phone numbers masked."""
    text = TOKEN_PATH.sub(r"\1[token]", text)
    text = BEARER.sub(r"\1[token]", text)
    text = API_TOKEN.sub("ooh_[token]", text)
    text = EMAIL.sub("[email]", text)
    return PHONE.sub("[phone]", text)


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, each ``key=value`` pair, and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        message = redact(record.getMessage())
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        for key, value in KEY_VALUE.findall(message):
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
