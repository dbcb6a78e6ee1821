from django.utils import timezone

from oohdesk.paging.channels.base import Channel, Message, SendResult


class DemoPhoneChannel(Channel):
    """A phone simulated in the web UI, so the whole flow can be tried without any provider account."""

    kind = "demo_phone"
    label = "Demo phone"
    bypasses_dnd = True
    supports_ack = True
    needs_address = False

    def mask(self, address: str) -> str:
        return address

    def send(self, attempt, message: Message) -> SendResult:
        from oohdesk.paging.models import DemoPhoneMessage

        # A send retried after an engine died mid-send finds its message already shown,
        # as a provider that deduplicates by message id would.
        shown, _created = DemoPhoneMessage.objects.get_or_create(
            attempt=attempt,
            defaults={
                "member": attempt.member,
                "page": attempt.page,
                "title": message.title,
                "body": message.body,
                "urgent": message.urgent,
                "received_at": timezone.now(),
            },
        )
        return SendResult(provider_id=f"demo-{shown.id}", response={"shown_on": f"demo phone of {attempt.member}"})
