"""SMS through Twilio: the page with its reference, acknowledged by a reply such as "ACK 4821"."""

from oohdesk.paging.channels import twilio
from oohdesk.paging.channels.base import Channel, Message, SendResult

# A single SMS segment contains 160 GSM characters, and longer texts are split and billed per segment.
SMS_MAX = 480


class SmsChannel(Channel):
    kind = "sms"
    label = "SMS"
    bypasses_dnd = True
    supports_ack = True
    needs_verification = True

    def validate_address(self, address: str) -> None:
        twilio.validate_phone_number(address)

    def mask(self, address: str) -> str:
        return twilio.mask_phone_number(address)

    def send(self, attempt, message: Message) -> SendResult:
        return self._send(attempt.destination, sms_text(message), twilio.callback_url("twilio-status", attempt.id))

    def send_verification(self, method, code: str) -> SendResult:
        return self._send(method.address, f"Your oohdesk verification code is {code}.", None)

    def _send(self, to: str, text: str, status_url: str | None) -> SendResult:
        _sid, _token, from_number = twilio.configured()
        fields = {"To": to, "From": from_number, "Body": text[:SMS_MAX]}
        if status_url:
            fields["StatusCallback"] = status_url
        body = twilio.post("Messages.json", fields)
        return SendResult(provider_id=body.get("sid", ""), response=body)


def sms_text(message: Message) -> str:
    if not message.urgent:
        return f"{message.title}\n{message.body}"
    reply = f"Reply ACK {message.reply_code} to acknowledge." if message.reply_code else ""
    if message.is_test:
        return f"oohdesk TEST PAGE, not an emergency. {reply}".strip()
    return f"oohdesk {message.title}\n{reply}\n{message.ack_url}".strip()
