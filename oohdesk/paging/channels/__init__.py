"""The registry of notification channels, keyed by ``ContactMethod.kind`` (and announcement channel kinds)."""

from oohdesk.paging.channels.apprise import AppriseChannel
from oohdesk.paging.channels.base import Channel, Message, PollResult, SendError, SendResult, mask_text
from oohdesk.paging.channels.demo_phone import DemoPhoneChannel
from oohdesk.paging.channels.email import EmailChannel
from oohdesk.paging.channels.ntfy import NtfyChannel
from oohdesk.paging.channels.pushover import PushoverChannel
from oohdesk.paging.channels.twilio.sms import SmsChannel
from oohdesk.paging.channels.twilio.voice import VoiceChannel
from oohdesk.paging.channels.webhook import WebhookChannel

CHANNELS: dict[str, Channel] = {
    channel.kind: channel
    for channel in [
        DemoPhoneChannel(),
        EmailChannel(),
        PushoverChannel(),
        VoiceChannel(),
        SmsChannel(),
        NtfyChannel(),
        AppriseChannel(),
        WebhookChannel(),
    ]
}
# Kinds a member's contact method may have; the others only announce to teams.
CONTACT_KINDS = ("demo_phone", "email", "pushover", "voice", "sms", "ntfy")


def get_channel(kind: str) -> Channel:
    """Return the channel for ``kind``; raise SendError(permanent) for a kind nobody implements."""
    try:
        return CHANNELS[kind]
    except KeyError:
        raise SendError(f"No channel handles contact methods of kind {kind!r}.", permanent=True) from None


def mask_destination(kind: str, address: str) -> str:
    """Return ``address`` with most of it hidden the way its channel masks it."""
    channel = CHANNELS.get(kind)
    return channel.mask(address) if channel else mask_text(address)


__all__ = [
    "CHANNELS", "CONTACT_KINDS", "Channel", "Message", "PollResult", "SendError", "SendResult", "get_channel", "mask_destination",
]
