"""The interface every notification channel implements.

A channel sends one message to one destination and either returns the
provider's answer or raises SendError. The error's flags tell the engine what
to do next: ``permanent`` means trying the same destination again cannot help
(a refused address), ``unknown_outcome`` means the request may have reached
the provider (a timeout after it was sent), so it must not be sent again
blindly, and anything else (a 503, a refused connection) is worth a retry.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    """What a notification says; ``urgent`` is true only for pages, which may bypass Do Not Disturb.

    ``ack_url`` opens a page with an Acknowledge button; ``ack_action_url``
    acknowledges on a bare POST, for buttons inside a notification.
    """

    title: str
    body: str
    urgent: bool
    ack_url: str = ""
    ack_action_url: str = ""
    ticket_ref: str = ""
    reply_code: str = ""
    is_test: bool = False


@dataclass(frozen=True)
class SendResult:
    """The provider's response to a send: its id for the message and the response body."""

    provider_id: str = ""
    response: dict = field(default_factory=dict)


class SendError(Exception):
    """A send failed.

    ``permanent``: the destination was refused, so retrying it cannot help.
    ``unknown_outcome``: the request may have been delivered, so it is not resent.
    ``configuration``: oohdesk's own provider settings are wrong or missing, so
    the member's contact method is not to blame.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        unknown_outcome: bool = False,
        configuration: bool = False,
        response: dict | None = None,
    ):
        super().__init__(message)
        self.permanent = permanent
        self.unknown_outcome = unknown_outcome
        self.configuration = configuration
        self.response = response or {}


@dataclass(frozen=True)
class PollResult:
    """A provider's report on a sent notification: acknowledged, or finished without an acknowledgement."""

    acknowledged: bool
    finished: bool
    response: dict = field(default_factory=dict)


class Channel:
    """Base class for channels; subclasses set the flags and implement ``send``.

    ``bypasses_dnd``: a page on it can get past Do Not Disturb.
    ``supports_ack``: the person can acknowledge from the notification itself.
    ``needs_verification``: a contact method of this kind must be verified with a code before it pages.
    ``withdrawable``: a sent notification can be stopped at the provider (``withdraw``).
    ``pollable``: the provider can be asked whether it was acknowledged (``poll``).
    ``carries_notices``: normal-priority notices may use it (a phone call for a weekly summary may not).
    """

    kind = ""
    label = ""
    bypasses_dnd = False
    supports_ack = False
    needs_address = True
    needs_verification = False
    withdrawable = False
    pollable = False
    carries_notices = True

    def validate_address(self, address: str) -> None:
        """Raise ValueError with a readable message if ``address`` cannot be used."""

    def mask(self, address: str) -> str:
        """Return ``address`` with most of it hidden, for logs and timelines."""
        return mask_text(address)

    def send(self, attempt, message: Message) -> SendResult:
        raise NotImplementedError

    def send_verification(self, method, code: str) -> SendResult:
        """Send a verification ``code`` to a contact method; raise SendError on failure."""
        raise NotImplementedError

    def withdraw(self, attempt) -> dict:
        """Stop a sent notification at the provider; return the provider's response or raise SendError."""
        raise NotImplementedError

    def poll(self, attempt) -> PollResult:
        raise NotImplementedError


def mask_text(text: str, keep_start: int = 2, keep_end: int = 2) -> str:
    """Hide the middle of ``text``, keeping a few characters at each end when it is long enough."""
    if not text:
        return ""
    if len(text) <= keep_start + keep_end + 2:
        return text[:1] + "•" * (len(text) - 1)
    return text[:keep_start] + "•" * (len(text) - keep_start - keep_end) + text[len(text) - keep_end :]
