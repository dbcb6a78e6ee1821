"""Phone calls through Twilio that read the page out and take a keypress as the acknowledgement.

The call is created with answering-machine detection, so a voicemail
greeting gets a short message and a hang-up. Only pressing the key on a live
call acknowledges; a call that ends any other way is recorded and is not an
acknowledgement.
"""

from django.conf import settings

from oohdesk.paging.channels import twilio
from oohdesk.paging.channels.base import Channel, Message, SendResult

# Call statuses after which a call can no longer be answered.
ENDED = {"completed", "busy", "no-answer", "failed", "canceled"}
ANSWERED = {"in-progress", "answered"}


class VoiceChannel(Channel):
    kind = "voice"
    label = "Phone call"
    bypasses_dnd = True
    supports_ack = True
    needs_verification = True
    withdrawable = True
    carries_notices = False

    def validate_address(self, address: str) -> None:
        twilio.validate_phone_number(address)

    def mask(self, address: str) -> str:
        return twilio.mask_phone_number(address)

    def send(self, attempt, message: Message) -> SendResult:
        return self._call(attempt.destination, twilio.callback_url("twilio-voice-answer", attempt.id), attempt.id)

    def send_verification(self, method, code: str) -> SendResult:
        from django.core import signing

        token = signing.dumps({"method": method.id, "code": code}, salt=VERIFY_SALT)
        return self._call(method.address, twilio.callback_url("twilio-voice-verify", token), None)

    def withdraw(self, attempt) -> dict:
        """End the call: hang up a call in progress, or cancel one still ringing."""
        if attempt.delivery_status in ENDED:
            return {"skipped": f"the call had already ended ({attempt.delivery_status})"}
        status = "completed" if attempt.delivery_status in ANSWERED else "canceled"
        return twilio.post(f"Calls/{attempt.provider_id}.json", {"Status": status})

    def _call(self, to: str, answer_url: str, attempt_id: int | None) -> SendResult:
        _sid, _token, from_number = twilio.configured()
        fields = {
            "To": to,
            "From": from_number,
            "Url": answer_url,
            "Method": "POST",
            "MachineDetection": "Enable",
            "Timeout": str(settings.OOHDESK_TWILIO_RING_SECONDS),
        }
        if attempt_id is not None:
            fields.update(
                StatusCallback=twilio.callback_url("twilio-status", attempt_id),
                StatusCallbackMethod="POST",
                StatusCallbackEvent=["initiated", "ringing", "answered", "completed"],
            )
        body = twilio.post("Calls.json", fields)
        return SendResult(provider_id=body.get("sid", ""), response=body)


VERIFY_SALT = "oohdesk.twilio.voice.verify"
