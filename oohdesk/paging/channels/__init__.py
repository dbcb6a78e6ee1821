"""The registry of notification channels, keyed by ``ContactMethod.kind``."""

from oohdesk.paging.channels.base import Channel, Message, SendError, SendResult
from oohdesk.paging.channels.demo_phone import DemoPhoneChannel
from oohdesk.paging.channels.email import EmailChannel

CHANNELS: dict[str, Channel] = {channel.kind: channel for channel in [DemoPhoneChannel(), EmailChannel()]}


def get_channel(kind: str) -> Channel:
    """Return the channel for ``kind``; raise SendError(permanent) for a kind nobody implements."""
    try:
        return CHANNELS[kind]
    except KeyError:
        raise SendError(f"No channel handles contact methods of kind {kind!r}.", permanent=True) from None


__all__ = ["CHANNELS", "Channel", "Message", "SendError", "SendResult", "get_channel"]
