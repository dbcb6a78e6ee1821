import smtplib
import socket

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, make_msgid
from django.core.validators import validate_email

from oohdesk.paging.channels.base import Channel, Message, SendError, SendResult, mask_text


class EmailChannel(Channel):
    """Email through Django's mail backend (SMTP in production). It cannot get past Do Not Disturb."""

    kind = "email"
    label = "Email"
    bypasses_dnd = False
    supports_ack = True

    def validate_address(self, address: str) -> None:
        try:
            validate_email(address)
        except ValidationError:
            raise ValueError(f"{address!r} is not a valid email address.") from None

    def mask(self, address: str) -> str:
        local, _at, domain = address.partition("@")
        return f"{mask_text(local, keep_start=1, keep_end=0)}@{domain}" if domain else mask_text(address)

    def send(self, attempt, message: Message) -> SendResult:
        address = attempt.destination or attempt.member.email
        body = message.body
        if message.ack_url:
            body += f"\n\nAcknowledge this page: {message.ack_url}\n"
        message_id = make_msgid(domain="oohdesk")
        headers = {"Message-ID": message_id}
        if message.urgent:
            headers.update({"X-Priority": "1 (Highest)", "Importance": "high"})
        email = EmailMessage(subject=message.title, body=body, to=[address], headers=headers)
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            # The refusal names the address; only the server's codes are kept, so logs stay free of it.
            answers = "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in error.recipients.values())
            raise SendError(f"The mail server refused the recipient: {answers}", permanent=True) from error
        except (smtplib.SMTPException, OSError, socket.timeout) as error:
            raise SendError(f"Sending email failed: {error}", permanent=False) from error
        return SendResult(provider_id=message_id, response={"to": address})
