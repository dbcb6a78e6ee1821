"""Team chat through Apprise (Slack, Microsoft Teams, Telegram, Discord and many more).

Used only for announcements to a team channel, never as a page's only
channel, because none of these services gets past Do Not Disturb. The
announcement channel's URL is an Apprise URL such as slack://... or
tgram://...; see https://github.com/caronc/apprise/wiki for every service.
"""

import logging

import apprise
from django.conf import settings

from oohdesk.paging.channels.base import Channel, Message, SendError, SendResult

logger = logging.getLogger(__name__)


class AppriseChannel(Channel):
    kind = "apprise"
    label = "Chat"

    def validate_address(self, address: str) -> None:
        if apprise.Apprise.instantiate(address) is None:
            raise ValueError("is not a URL that Apprise supports; see the Apprise wiki for each service's URL format")

    def mask(self, address: str) -> str:
        return address

    def send(self, attempt, message: Message) -> SendResult:
        url = attempt.announcement_channel.url
        service = apprise.Apprise.instantiate(url)
        if service is None:
            raise SendError(f"Apprise does not support the URL of {attempt.destination}.", permanent=True, configuration=True)
        # Apprise sets its own per-service timeouts; this bounds each to the provider timeout.
        service.socket_connect_timeout = settings.OOHDESK_PROVIDER_TIMEOUT_SECONDS
        service.socket_read_timeout = settings.OOHDESK_PROVIDER_TIMEOUT_SECONDS
        delivered = service.notify(body=message.body, title="" if message.body == message.title else message.title)
        result = {"service": service.service_name, "url": service.url(privacy=True), "delivered": bool(delivered)}
        if not delivered:
            # Apprise reports only success or failure, so a failure is treated as worth a retry.
            raise SendError(f"Apprise could not deliver to {result['service']}.", permanent=False, response=result)
        return SendResult(provider_id="", response=result)
