"""Twilio's requests to oohdesk: TwiML for calls, keypresses, status callbacks and incoming SMS.

Every view rejects a request without a valid X-Twilio-Signature with 403, and
a request from another Twilio account the same way.
"""

import functools
import logging
import re
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.core import signing
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from oohdesk.paging.acks import acknowledge_attempt, is_settled
from oohdesk.paging.channels import twilio
from oohdesk.paging.channels.twilio.voice import VERIFY_SALT
from oohdesk.paging.escalation import record
from oohdesk.paging.models import NotificationAttempt, Page, PageEvent

logger = logging.getLogger(__name__)

ACK_KEY = "1"
REPLY = re.compile(r"\s*ACK\s+(\d{4})\s*", re.IGNORECASE)
# Call and message statuses worth a line on the page's timeline.
TIMELINE_STATUSES = {"answered", "completed", "busy", "no-answer", "failed", "canceled", "delivered", "undelivered"}
VOICE = {"voice": "alice", "language": "en-GB"}


def twilio_only(view):
    """Reject requests that Twilio did not sign, or that come from another account."""

    @csrf_exempt
    @require_POST
    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        account = request.POST.get("AccountSid")
        if not twilio.is_signed_by_twilio(request) or account != settings.OOHDESK_TWILIO_ACCOUNT_SID:
            logger.warning("twilio request rejected: bad signature path=%s", request.path)
            return HttpResponseForbidden("Invalid X-Twilio-Signature.")
        return view(request, *args, **kwargs)

    return checked


def twiml(*verbs: str) -> HttpResponse:
    return HttpResponse('<?xml version="1.0" encoding="UTF-8"?><Response>' + "".join(verbs) + "</Response>", content_type="text/xml")


def say(text: str) -> str:
    attributes = "".join(f" {name}={quoteattr(value)}" for name, value in VOICE.items())
    return f"<Say{attributes}>{escape(text)}</Say>"


def spoken_reference(ref: str) -> str:
    """Spell a reference out so a text-to-speech voice reads OOH-4KX2 as letters and digits."""
    return " ".join("dash" if character == "-" else character for character in ref)


@twilio_only
def voice_answer(request, attempt_id: int):
    attempt = get_object_or_404(NotificationAttempt.objects.select_related("page__ticket", "test_page"), id=attempt_id)
    answered_by = request.POST.get("AnsweredBy", "")
    if answered_by.startswith("machine") or answered_by == "fax":
        _note(attempt, f"Phone call to {attempt.member} reached voicemail ({answered_by}); that is not an acknowledgement.")
        return twiml(say(f"This is oohdesk with an urgent page. {_headline(attempt)} Please check oohdesk."), "<Hangup/>")
    if is_settled(attempt):
        return twiml(say("This is oohdesk. The page has already been acknowledged. Goodbye."), "<Hangup/>")
    gather_url = twilio.callback_url("twilio-voice-gather", attempt.id)
    prompt = say(f"{_headline(attempt)} Press {ACK_KEY} to acknowledge.")
    return twiml(
        f'<Gather input="dtmf" numDigits="1" timeout="8" action={quoteattr(gather_url)} method="POST">{prompt}{prompt}</Gather>',
        say("No key was pressed, so the page is not acknowledged. Goodbye."),
        "<Hangup/>",
    )


@twilio_only
def voice_gather(request, attempt_id: int):
    attempt = get_object_or_404(NotificationAttempt.objects.select_related("page__ticket", "member"), id=attempt_id)
    if request.POST.get("Digits") != ACK_KEY:
        answer_url = twilio.callback_url("twilio-voice-answer", attempt.id)
        return twiml(say(f"That key does not acknowledge. Press {ACK_KEY}."), f'<Redirect method="POST">{escape(answer_url)}</Redirect>')
    result = acknowledge_attempt(attempt, timezone.now(), via="phone_call")
    logger.info("call keypress attempt=%s accepted=%s", attempt.id, result.accepted)
    return twiml(say(result.message + " Goodbye."), "<Hangup/>")


@twilio_only
def voice_verify(request, token: str):
    try:
        payload = signing.loads(token, salt=VERIFY_SALT, max_age=settings.OOHDESK_VERIFICATION_MAX_AGE)
    except signing.BadSignature:
        return twiml(say("This verification call has expired. Goodbye."), "<Hangup/>")
    digits = ", ".join(payload["code"])
    return twiml(say(f"Your oohdesk verification code is {digits}. Again: {digits}. Goodbye."), "<Hangup/>")


@twilio_only
def status_callback(request, attempt_id: int):
    """Record a call's or message's status (CallStatus or MessageStatus) on its attempt and the page timeline."""
    attempt = get_object_or_404(NotificationAttempt.objects.select_related("page", "member"), id=attempt_id)
    status = request.POST.get("CallStatus") or request.POST.get("MessageStatus") or ""
    if not status:
        return HttpResponse(status=204)
    NotificationAttempt.objects.filter(id=attempt.id).update(delivery_status=status[:32])
    if status in TIMELINE_STATUSES:
        detail = f" (error {request.POST['ErrorCode']})" if request.POST.get("ErrorCode") else ""
        ended_unacknowledged = status in {"completed", "busy", "no-answer", "failed", "canceled"} and attempt.channel == "voice"
        suffix = "; no key was pressed, so it is no acknowledgement" if ended_unacknowledged and not is_settled(attempt) else ""
        _note(attempt, f"{'Phone call' if attempt.channel == 'voice' else 'SMS'} to {attempt.member}: {status}{detail}{suffix}.")
    return HttpResponse(status=204)


@twilio_only
def incoming_sms(request):
    """Acknowledge from a reply such as "ACK 4821"; anything else is logged and changes nothing."""
    sender = request.POST.get("From", "")
    match = REPLY.fullmatch(request.POST.get("Body", ""))
    attempts = NotificationAttempt.objects.filter(channel="sms", destination=sender).exclude(reply_code="")
    if not attempts.exists():
        logger.warning("sms reply from an unknown number ignored sid=%s", request.POST.get("MessageSid", ""))
        return twiml()
    attempt = None
    if match:
        attempt = attempts.filter(reply_code=match[1]).select_related("page", "test_page", "member").order_by("-created_at").first()
    if attempt is None:
        logger.warning("sms reply without a matching code ignored sid=%s", request.POST.get("MessageSid", ""))
        return twiml(f"<Message>{escape('That reply does not match a page. Reply ACK and the 4-digit code from the page, such as ACK 4821.')}</Message>")
    result = acknowledge_attempt(attempt, timezone.now(), via="sms_reply")
    logger.info("sms reply attempt=%s accepted=%s", attempt.id, result.accepted)
    return twiml(f"<Message>{escape(result.message)}</Message>")


def _headline(attempt: NotificationAttempt) -> str:
    if attempt.test_page_id:
        return "This is an oohdesk test page, not a real emergency."
    ticket = attempt.page.ticket
    return (
        f"This is oohdesk. {ticket.get_priority_display()} report from {ticket.organisation}. "
        f"{ticket.summary}. Reference {spoken_reference(ticket.ref)}."
    )


def _note(attempt: NotificationAttempt, text: str) -> None:
    if attempt.page_id:
        record(Page.objects.get(id=attempt.page_id), timezone.now(), PageEvent.Kind.DELIVERY_UPDATE, text, attempt.member)
