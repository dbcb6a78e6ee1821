from datetime import timedelta
from xml.etree import ElementTree

import httpx
import pytest

from conftest import utc
from fakes.fixtures import TWILIO_NUMBER, add_method, callbacks, only_method, twilio  # noqa: F401
from fakes.twilio import twilio_signature
from oohdesk.paging.channels.twilio import signature
from oohdesk.paging.engine import run_once
from oohdesk.paging.escalation import acknowledge
from oohdesk.paging.models import NotificationAttempt, Page
from oohdesk.paging.notices import queue_notice
from reports import report

NIGHT = utc(2026, 12, 9, 23, 0)
ALICE_PHONE = "+447700900123"


@pytest.fixture
def alice_phone(team, alice, twilio):
    only_method(alice, "voice", ALICE_PHONE)
    return ALICE_PHONE


@pytest.fixture
def alice_sms(team, alice, twilio):
    only_method(alice, "sms", ALICE_PHONE)
    return ALICE_PHONE


def only_call(twilio) -> str:
    [sid] = twilio.calls
    return sid


def sms_url(live_server) -> str:
    return f"{live_server.url}/channels/twilio/sms/"


def test_signature_matches_published_example():
    # The example of Twilio's webhook security guide, as also used by the Elixir gist it cites.
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234", "From": "+12349013030", "To": "+18005551212"}
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert signature(url, list(params.items()), "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert twilio_signature(url, list(params.items()), "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_page_places_call(db, team, twilio, alice_phone):
    report(team, NIGHT)
    run_once(NIGHT)
    sid = only_call(twilio)
    params = twilio.calls[sid]["params"]
    assert params["To"] == ALICE_PHONE
    assert params["From"] == TWILIO_NUMBER
    assert params["MachineDetection"] == "Enable"
    assert "/channels/twilio/voice/" in params["Url"]
    assert set(twilio.calls[sid]["events"]) == {"initiated", "ringing", "answered", "completed"}
    assert NotificationAttempt.objects.get().provider_id == sid


def test_notice_never_calls(db, team, alice, twilio, alice_phone):
    attempts = queue_notice(alice, "Weekly summary", "Two pages.", utc(2026, 12, 9, 10, 0))
    run_once(utc(2026, 12, 9, 10, 0))
    assert attempts == []
    assert twilio.calls == {}


def test_keypress_acknowledges(transactional_db, team, twilio, alice_phone, callbacks):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    sid = only_call(twilio)
    twiml = twilio.answer(sid)
    assert "O O H dash" in twiml
    assert "Press 1 to acknowledge" in twiml
    assert ElementTree.fromstring(twiml).find("Gather").get("numDigits") == "1"
    answer = twilio.press(sid, twiml, "1")
    assert "Acknowledged" in answer
    page = Page.objects.get(ticket=ticket)
    assert page.status == Page.Status.ACKNOWLEDGED
    assert page.acknowledged_via == "phone_call"
    assert page.events.filter(kind="acknowledged", message__contains="through a keypress on the phone call").exists()


def test_wrong_key_does_not_acknowledge(transactional_db, team, twilio, alice_phone, callbacks):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    sid = only_call(twilio)
    answer = twilio.press(sid, twilio.answer(sid), "7")
    assert "<Redirect" in answer
    assert Page.objects.get(ticket=ticket).status == Page.Status.TRIGGERED


def test_call_ended_without_key_is_no_ack(transactional_db, team, twilio, alice_phone, callbacks):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    sid = only_call(twilio)
    twilio.answer(sid)
    assert twilio.end(sid, "completed").status_code == 204
    page = Page.objects.get(ticket=ticket)
    assert page.status == Page.Status.TRIGGERED
    assert NotificationAttempt.objects.get().delivery_status == "completed"
    assert page.events.filter(kind="delivery_update", message__contains="no acknowledgement").exists()


def test_voicemail_is_no_ack(transactional_db, team, twilio, alice_phone, callbacks):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    sid = only_call(twilio)
    twiml = twilio.answer(sid, answered_by="machine_end_beep")
    assert "<Gather" not in twiml
    assert "<Hangup" in twiml
    page = Page.objects.get(ticket=ticket)
    assert page.status == Page.Status.TRIGGERED
    assert page.events.filter(message__contains="voicemail").exists()


def test_forged_signature_rejected(transactional_db, team, twilio, alice_phone, callbacks):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    sid = only_call(twilio)
    twiml = twilio.answer(sid)
    gather = ElementTree.fromstring(twiml).find("Gather").get("action")
    forged = twilio.post_signed(gather, twilio.call_params(sid, Digits="1"), auth_token="not-the-auth-token")
    assert forged.status_code == 403
    unsigned = httpx.post(gather, data=twilio.call_params(sid, Digits="1"))
    assert unsigned.status_code == 403
    assert Page.objects.get(ticket=ticket).status == Page.Status.TRIGGERED


def test_ack_elsewhere_ends_call(db, team, alice, twilio, alice_phone):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    sid = only_call(twilio)
    NotificationAttempt.objects.filter(provider_id=sid).update(delivery_status="in-progress")
    acknowledge(ticket.page.id, NIGHT + timedelta(seconds=30), alice, via="dashboard")
    run_once(NIGHT + timedelta(seconds=30))
    assert twilio.calls[sid]["status"] == "completed"


def test_sms_page_carries_reference_and_code(db, team, twilio, alice_sms):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    [message] = twilio.messages.values()
    attempt = NotificationAttempt.objects.get()
    assert len(attempt.reply_code) == 4
    assert ticket.ref in message["params"]["Body"]
    assert f"Reply ACK {attempt.reply_code}" in message["params"]["Body"]
    assert "/channels/twilio/status/" in message["params"]["StatusCallback"]


def test_sms_notice_has_no_code(db, team, alice, twilio, alice_sms):
    queue_notice(alice, "Weekly summary", "Two pages.", utc(2026, 12, 9, 10, 0))
    run_once(utc(2026, 12, 9, 10, 0))
    [message] = twilio.messages.values()
    assert "ACK" not in message["params"]["Body"]
    assert NotificationAttempt.objects.get().reply_code == ""


def test_sms_reply_acknowledges(transactional_db, team, twilio, alice_sms, callbacks):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    code = NotificationAttempt.objects.get().reply_code
    answer = twilio.reply_sms(sms_url(callbacks), ALICE_PHONE, f"ack {code}")
    assert answer.status_code == 200
    assert "Acknowledged" in answer.text
    page = Page.objects.get(ticket=ticket)
    assert page.status == Page.Status.ACKNOWLEDGED
    assert page.acknowledged_via == "sms_reply"


def test_sms_reply_wrong_code_ignored(transactional_db, team, twilio, alice_sms, callbacks):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    code = NotificationAttempt.objects.get().reply_code
    wrong = f"{(int(code) + 1) % 10000:04d}"
    answer = twilio.reply_sms(sms_url(callbacks), ALICE_PHONE, f"ACK {wrong}")
    assert answer.status_code == 200
    assert "does not match" in answer.text
    assert Page.objects.get(ticket=ticket).status == Page.Status.TRIGGERED


def test_sms_reply_unknown_number_ignored(transactional_db, team, twilio, alice_sms, callbacks):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    code = NotificationAttempt.objects.get().reply_code
    answer = twilio.reply_sms(sms_url(callbacks), "+447700900999", f"ACK {code}")
    assert answer.status_code == 200
    assert "<Message>" not in answer.text
    assert Page.objects.get(ticket=ticket).status == Page.Status.TRIGGERED


def test_sms_reply_forged_rejected(transactional_db, team, twilio, alice_sms, callbacks):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    code = NotificationAttempt.objects.get().reply_code
    answer = twilio.reply_sms(sms_url(callbacks), ALICE_PHONE, f"ACK {code}", auth_token="forged")
    assert answer.status_code == 403
    assert Page.objects.get(ticket=ticket).status == Page.Status.TRIGGERED


def test_sms_delivery_status_recorded(transactional_db, team, twilio, alice_sms, callbacks):
    ticket = report(team, NIGHT)
    run_once(NIGHT)
    [sid] = twilio.messages
    assert twilio.status(sid, "delivered").status_code == 204
    assert NotificationAttempt.objects.get().delivery_status == "delivered"
    assert Page.objects.get(ticket=ticket).events.filter(kind="delivery_update", message__contains="delivered").exists()


def test_invalid_number_breaks_method(db, team, alice, twilio):
    method = only_method(alice, "sms", "+447700900555")
    twilio.invalid_numbers.add("+447700900555")
    report(team, NIGHT)
    run_once(NIGHT)
    method.refresh_from_db()
    assert method.broken_at is not None
    assert "21211" in method.broken_reason


def test_wrong_credentials_not_blamed_on_member(db, team, alice, twilio, alice_sms, settings):
    settings.OOHDESK_TWILIO_AUTH_TOKEN = "wrong"
    report(team, NIGHT)
    run_once(NIGHT)
    assert alice.contact_methods.get().broken_at is None
    assert "20003" in NotificationAttempt.objects.get(member=alice).error
