"""Screening public reports: CSRF, the spam-trap field, proof of work, rate limits and size limits."""

import base64
import hashlib
import html
import json
import re
from datetime import timedelta

import pytest
from django.test import Client

from conftest import utc
from oohdesk.rota.models import Team
from oohdesk.security import challenge
from oohdesk.security.models import RateLimitWindow, RejectedReport, SpentChallenge
from oohdesk.security.ratelimit import client_ip, hit, window_start
from oohdesk.tickets.models import Ticket
from reports import GOOD_REPORT

NOW = utc(2026, 1, 6, 10, 0)
CHALLENGE_DATA = re.compile(r'data-challenge="([^"]+)"')

REPORT = {**GOOD_REPORT, "site_down": "yes", "affects_half": "no"}


def solve(issued: dict) -> str:
    """Solve a challenge as challenge.js does, and return the payload it would post."""
    for number in range(issued["maxnumber"] + 1):
        if hashlib.sha256(f"{issued['salt']}{number}".encode()).hexdigest() == issued["challenge"]:
            fields = {key: issued[key] for key in ("algorithm", "challenge", "salt", "signature")}
            return base64.b64encode(json.dumps({**fields, "number": number}).encode()).decode()
    raise AssertionError("challenge has no solution")


def form_challenge(client) -> dict:
    page = client.get("/report/").content.decode()
    return json.loads(html.unescape(CHALLENGE_DATA.search(page).group(1)))


@pytest.fixture
def easy(settings):
    settings.OOHDESK_CHALLENGE_MAX_NUMBER = 500


def send(client, **changes):
    return client.post("/report/", {**REPORT, **changes})


# CSRF


def test_form_needs_csrf_token(team):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/report/")
    response = browser.post("/report/", REPORT)
    assert response.status_code == 403
    assert "Please send the form again" in response.content.decode()
    assert not Ticket.objects.exists()


# Proof of work


def test_form_offers_challenge(client, team):
    page = client.get("/report/").content.decode()
    issued = form_challenge(client)
    assert issued["algorithm"] == "SHA-256"
    assert "?expires=" in issued["salt"]
    assert '<script src="/static/oohdesk/challenge.js" defer></script>' in page


def test_solved_challenge_verifies(client, team, easy):
    response = send(client, altcha=solve(form_challenge(client)))
    assert response.status_code == 302
    assert Ticket.objects.get().spam_check == Ticket.SpamCheck.PASSED


def test_no_javascript_accepted_unverified(client, team):
    response = send(client)
    assert response.status_code == 302
    assert Ticket.objects.get().spam_check == Ticket.SpamCheck.UNVERIFIED
    assert Ticket.objects.get().page


def test_solution_reuse_unverified(client, team, easy):
    payload = solve(form_challenge(client))
    send(client, altcha=payload)
    send(client, altcha=payload, summary="Another problem")
    checks = list(Ticket.objects.order_by("id").values_list("spam_check", flat=True))
    assert checks == ["passed", "unverified"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"number": 10**6}, "wrong number"),
        ({"signature": "0" * 64}, "signature invalid"),
        ({"algorithm": "SHA-1"}, "unknown algorithm"),
        ({"salt": "abc?expires=1"}, "challenge expired"),
        ({"salt": "abc?expires=99999999999"}, "wrong number"),
        ({"challenge": "0" * 64}, "signature invalid"),
    ],
)
def test_tampered_solution(easy, db, change, reason):
    payload = json.loads(base64.b64decode(solve(challenge.new_challenge(NOW))))
    tampered = base64.b64encode(json.dumps({**payload, **change}).encode()).decode()
    assert challenge.verify_solution(tampered, NOW) == reason
    assert not SpentChallenge.objects.exists()


def test_expired_challenge(easy, db, settings):
    payload = solve(challenge.new_challenge(NOW))
    later = NOW + timedelta(seconds=settings.OOHDESK_CHALLENGE_MAX_AGE + 1)
    assert challenge.verify_solution(payload, later) == "challenge expired"
    assert challenge.verify_solution(payload, NOW) == ""


@pytest.mark.parametrize("payload", ["", "not base64!", base64.b64encode(b"[1, 2]").decode(), "A" * 2000])
def test_malformed_solution(db, payload):
    assert challenge.verify_solution(payload, NOW) != ""


# The spam-trap field


def test_honeypot_refused_with_message(client, team, settings):
    settings.OOHDESK_FALLBACK_EMAIL = "emergency@agency.example"
    response = send(client, website="http://spam.example")
    html_text = response.content.decode()
    assert response.status_code == 400
    assert "Your report has not been sent" in html_text
    assert "emergency@agency.example" in html_text
    assert 'value="Dana Customer"' in html_text  # the report is still in the form
    assert not Ticket.objects.exists()
    rejected = RejectedReport.objects.get()
    assert (rejected.reason, rejected.priority, rejected.source) == ("honeypot", "P2", "form")


def test_honeypot_hidden_from_people(client, team):
    page = client.get("/report/").content.decode()
    assert '<div class="spam-trap" aria-hidden="true">' in page
    assert 'name="website" id="id_website" value="" tabindex="-1" autocomplete="off"' in page


# Rate limits


def test_rate_limit_per_ip(client, team, easy, settings, caplog):
    settings.OOHDESK_REPORTS_PER_IP = 2
    settings.OOHDESK_FALLBACK_EMAIL = "emergency@agency.example"
    for number in range(2):
        assert send(client, summary=f"Problem {number}", altcha=solve(form_challenge(client))).status_code == 302

    refused = send(client, summary="Problem 3", altcha=solve(form_challenge(client)))

    text = refused.content.decode()
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= settings.OOHDESK_RATE_LIMIT_WINDOW_SECONDS
    assert "Too many reports have come from your network recently" in text
    assert "emergency@agency.example" in text
    assert "Problem 3" in text
    assert Ticket.objects.count() == 2
    assert RejectedReport.objects.get().reason == "rate_limit_ip"
    assert "report refused reason=rate_limit_ip source=form priority=P2 team=web" in caplog.text


def test_rate_limit_unverified_tighter(client, team, settings):
    settings.OOHDESK_UNVERIFIED_REPORTS_PER_IP = 1
    assert send(client, summary="First").status_code == 302
    refused = send(client, summary="Second")
    assert refused.status_code == 429
    assert "without passing our automatic spam check" in refused.content.decode()


def test_rate_limit_per_organisation(team, settings):
    settings.OOHDESK_REPORTS_PER_ORGANISATION = 1
    first = Client(REMOTE_ADDR="192.0.2.1")
    second = Client(REMOTE_ADDR="192.0.2.2")
    assert send(first, organisation="Shop  Ltd").status_code == 302
    refused = send(second, organisation="SHOP LTD", summary="Same shop")
    assert refused.status_code == 429
    assert "Too many reports have been sent for your organisation" in refused.content.decode()
    assert send(second, organisation="Other Ltd").status_code == 302


def test_rate_limit_off_with_zero(client, team, settings):
    settings.OOHDESK_REPORTS_PER_IP = 0
    settings.OOHDESK_UNVERIFIED_REPORTS_PER_IP = 0
    for number in range(25):
        assert send(client, summary=f"Problem {number}").status_code == 302


def test_double_submit_not_counted(client, team, settings):
    settings.OOHDESK_UNVERIFIED_REPORTS_PER_IP = 1
    assert send(client, form_key="form-" + "k" * 30).status_code == 302
    assert send(client, form_key="form-" + "k" * 30).status_code == 302
    assert Ticket.objects.count() == 1


def test_api_rate_limited(client, team, settings):
    settings.OOHDESK_REPORTS_PER_IP = 1
    body = {**REPORT, "site_down": True, "affects_half": True}
    assert client.post("/api/v1/tickets", body, content_type="application/json").status_code == 201
    refused = client.post("/api/v1/tickets", {**body, "summary": "Again"}, content_type="application/json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many reports" in refused.json()["errors"]["rate_limit"][0]
    assert RejectedReport.objects.get().source == "api"
    assert Ticket.objects.get().spam_check == Ticket.SpamCheck.NOT_CHECKED


def test_rate_limit_window_resets(db, settings):
    settings.OOHDESK_RATE_LIMIT_WINDOW_SECONDS = 3600
    start = window_start(NOW, 3600)
    assert hit("ip:a", 1, start) is None
    limited = hit("ip:a", 1, start + timedelta(minutes=10))
    assert limited.kind == "ip"
    assert limited.retry_after == 50 * 60
    assert hit("ip:a", 1, start + timedelta(hours=1)) is None
    assert hit("ip:b", 1, start + timedelta(hours=3)) is None
    assert list(RateLimitWindow.objects.values_list("key", flat=True)) == ["ip:b"]


def test_keys_store_no_address(client, team):
    send(client)
    keys = list(RateLimitWindow.objects.values_list("key", flat=True))
    assert keys
    assert not any("127.0.0.1" in key or "shop" in key for key in keys)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.7, 203.0.113.9", "198.51.100.7"),
        (2, "203.0.113.9", "10.0.0.1"),
    ],
)
def test_client_ip(rf, settings, proxies, forwarded, expected):
    settings.OOHDESK_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# Size limits


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("reporter_name", 100),
        ("reporter_email", 254),
        ("reporter_phone", 32),
        ("organisation", 100),
        ("site", 200),
        ("summary", 200),
        ("description", 10000),
    ],
)
def test_field_length_limits(client, team, field, limit):
    value = "1" * (limit + 1) if field == "reporter_phone" else "a" * (limit + 1)
    if field == "reporter_email":
        value = "a" * (limit - 11) + "@shop.example"
    response = send(client, **{field: value})
    assert response.status_code == 200
    assert "Your report has not been sent" in response.content.decode()
    assert not Ticket.objects.exists()
    assert f'maxlength="{limit}"' in client.get("/report/").content.decode()


def test_api_field_length_limit(client, team):
    body = {**REPORT, "summary": "a" * 201, "site_down": True, "affects_half": True}
    response = client.post("/api/v1/tickets", body, content_type="application/json")
    assert response.status_code == 400
    assert "summary" in response.json()["errors"]


def test_form_body_limit(client, team, settings):
    response = send(client, description="a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_api_body_limit(client, team, settings):
    body = json.dumps({**REPORT, "description": "a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = client.post("/api/v1/tickets", body, content_type="application/json")
    assert response.status_code == 413
    assert not Ticket.objects.exists()


def test_body_limit_setting(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 256 * 1024


def test_several_teams_screened(client, team, calendar, policy, settings):
    settings.OOHDESK_UNVERIFIED_REPORTS_PER_IP = 1
    Team.objects.create(slug="apps", name="Apps team", calendar=calendar, escalation_policy=policy)
    assert client.post("/report/web/", REPORT).status_code == 302
    assert client.post("/report/apps/", {**REPORT, "summary": "Other"}).status_code == 429
