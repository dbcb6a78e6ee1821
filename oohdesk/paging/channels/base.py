"""The interface every notification channel implements.

A channel sends one message to one destination and either returns the
provider's answer or raises SendError, whose ``permanent`` flag tells the
engine whether trying again can help (a refused address cannot; a timeout or a
503 can).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    """What a notification says; ``urgent`` is true only for pages, which may bypass Do Not Disturb."""

    title: str
    body: str
    urgent: bool
    ack_url: str = ""
    ticket_ref: str = ""


@dataclass(frozen=True)
class SendResult:
    """The provider's answer to a send: its id for the message and what it returned."""

    provider_id: str = ""
    response: dict = field(default_factory=dict)


class SendError(Exception):
    """A send failed; ``permanent`` means retrying the same destination cannot help."""

    def __init__(self, message: str, *, permanent: bool, response: dict | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.response = response or {}


class Channel:
    """Base class for channels; subclasses set the flags and implement ``send``."""

    kind = ""
    label = ""
    bypasses_dnd = False
    supports_ack = False
    needs_address = True

    def validate_address(self, address: str) -> None:
        """Raise ValueError with a readable message if ``address`` cannot be used."""

    def send(self, attempt, message: Message) -> SendResult:
        raise NotImplementedError
