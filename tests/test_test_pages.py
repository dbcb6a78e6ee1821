import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from conftest import utc
from oohdesk import links
from fakes.fixtures import add_method, callbacks, ntfy, only_method, pushover, pushover_user  # noqa: F401
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import NotificationAttempt, NotificationRule, Page, TestPage
from oohdesk.paging.testpages import send_test_page
from oohdesk.paging.verification import VerificationError, check_code, send_code

NOON = utc(2026, 12, 9, 12, 0)


@pytest.fixture
def alice_user(alice):
    alice.user = User.objects.create_user("alice", "alice@agency.example", "alice-password-123")
    alice.save()
    return alice.user


def test_test_page_follows_p1_rules(db, team, alice, pushover, ntfy):
    push = only_method(alice, "pushover", pushover_user(pushover))
    topic = add_method(alice, "ntfy", "alice-topic-123")
    NotificationRule.objects.create(member=alice, priority="P1", contact_method=topic, position=0)
    NotificationRule.objects.create(member=alice, priority="P2", contact_method=push, position=0)
    test_page = send_test_page(alice, NOON)
    run_once(NOON)
    assert [attempt.channel for attempt in test_page.attempts.all()] == ["ntfy"]
    [message] = ntfy.published
    assert message["priority"] == 5
    assert "TEST PAGE" in message["title"]
    assert pushover.messages == []
    assert not Page.objects.exists()


def test_test_page_is_urgent_and_labelled(db, team, alice, pushover):
    only_method(alice, "pushover", pushover_user(pushover))
    send_test_page(alice, NOON)
    run_once(NOON)
    [message] = pushover.messages
    assert message["priority"] == "2"
    assert message["title"].startswith("TEST PAGE")
    assert "not a real emergency" in message["message"]


def test_pushover_callback_confirms_test_page(transactional_db, team, alice, pushover, callbacks):
    only_method(alice, "pushover", pushover_user(pushover))
    test_page = send_test_page(alice, timezone.now())
    run_once()
    pushover.acknowledge(pushover.messages[0]["receipt"])
    test_page.refresh_from_db()
    assert test_page.confirmed_via == "pushover"
    assert test_page.confirmed_at is not None


def test_confirm_link_needs_post(db, team, alice, client, settings):
    test_page = send_test_page(alice, NOON)
    run_once(NOON)
    assert NotificationAttempt.objects.get().status == "sent"
    url = links.test_page_url(test_page.id).removeprefix(settings.OOHDESK_BASE_URL)
    assert "It got through Do Not Disturb" in client.get(url).content.decode()
    test_page.refresh_from_db()
    assert test_page.confirmed_at is None
    assert "Test page confirmed" in client.post(url).content.decode()
    test_page.refresh_from_db()
    assert test_page.confirmed_via == "link"


def test_command_sends_test_page(db, team, alice):
    output = StringIO()
    call_command("test-page", "alice@agency.example", stdout=output)
    assert "Test page" in output.getvalue()
    assert TestPage.objects.get().member == alice


def test_command_without_method_fails(db, team, alice):
    alice.contact_methods.all().delete()
    with pytest.raises(CommandError, match="no verified, working contact method"):
        call_command("test-page", "Alice")


def test_button_sends_test_page(db, team, alice, alice_user, client):
    client.force_login(alice_user)
    response = client.post("/me/contact-methods/", {"action": "test_page"}, follow=True)
    assert "Test page sent" in response.content.decode()
    assert TestPage.objects.filter(member=alice).exists()


def test_dashboard_shows_last_confirmation(db, team, alice, alice_user, client):
    client.force_login(alice_user)
    assert "<strong>Never</strong>" in client.get("/dashboard/").content.decode()
    TestPage.objects.create(member=alice, created_at=NOON, confirmed_at=NOON, confirmed_via="pushover")
    page = client.get("/dashboard/").content.decode()
    assert "12:00 on Wednesday 9 December 2026 (UK time)" in page


def test_code_verifies_method(db, alice, pushover):
    key = pushover_user(pushover)
    method = only_method(alice, "pushover", key, verified=False)
    assert not method.is_usable
    send_code(method, NOON)
    code = re.search(r"\d{6}", pushover.messages[0]["message"]).group(0)
    with pytest.raises(VerificationError, match="not the one sent"):
        check_code(method, "000000" if code != "000000" else "111111", NOON)
    check_code(method, code, NOON)
    method.refresh_from_db()
    assert method.verified_at == NOON
    assert method.is_usable


def test_verification_clears_broken(db, alice, pushover):
    method = only_method(alice, "pushover", pushover_user(pushover))
    method.broken_at = NOON
    method.broken_reason = "user identifier is invalid"
    method.save()
    send_code(method, NOON)
    check_code(method, re.search(r"\d{6}", pushover.messages[0]["message"]).group(0), NOON)
    method.refresh_from_db()
    assert method.broken_at is None


def test_expired_code_rejected(db, alice, pushover, settings):
    from datetime import timedelta

    method = only_method(alice, "pushover", pushover_user(pushover), verified=False)
    send_code(method, NOON)
    code = re.search(r"\d{6}", pushover.messages[0]["message"]).group(0)
    with pytest.raises(VerificationError, match="expired"):
        check_code(method, code, NOON + timedelta(seconds=settings.OOHDESK_VERIFICATION_MAX_AGE + 1))


def test_too_many_wrong_codes(db, alice, pushover):
    method = only_method(alice, "pushover", pushover_user(pushover), verified=False)
    send_code(method, NOON)
    code = re.search(r"\d{6}", pushover.messages[0]["message"]).group(0)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(VerificationError):
            check_code(method, wrong, NOON)
    with pytest.raises(VerificationError, match="Too many"):
        check_code(method, code, NOON)


def test_verify_page_flow(db, alice, alice_user, pushover, client):
    method = only_method(alice, "pushover", pushover_user(pushover), verified=False)
    client.force_login(alice_user)
    page = client.get("/me/contact-methods/").content.decode()
    assert "Not verified" in page
    client.post("/me/contact-methods/", {"action": "send_code", "method": method.id})
    code = re.search(r"\d{6}", pushover.messages[0]["message"]).group(0)
    response = client.post("/me/contact-methods/", {"action": "verify", "method": method.id, "code": code}, follow=True)
    assert "is verified" in response.content.decode()
    method.refresh_from_db()
    assert method.verified_at is not None


def test_verify_command(db, alice, pushover):
    method = only_method(alice, "pushover", pushover_user(pushover), verified=False)
    call_command("verify-contact", "alice@agency.example", "pushover", stdout=StringIO())
    code = re.search(r"\d{6}", pushover.messages[0]["message"]).group(0)
    call_command("verify-contact", "alice@agency.example", "pushover", "--code", code, stdout=StringIO())
    method.refresh_from_db()
    assert method.verified_at is not None
