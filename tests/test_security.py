"""Security headers, HTTPS settings, deployment checks, secrets, signed links and the masked delivery log."""

import ast
import json
import re
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import signing
from django.test import Client, override_settings

from conftest import utc
from oohdesk import links
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import ContactMethod, NotificationAttempt, Page
from oohdesk.paging.escalation import acknowledge
from oohdesk.security.masking import mask_destination, mask_email, mask_phone, mask_text
from processes import Desk
from reports import report

NOW = utc(2026, 1, 6, 10, 0)
SOURCE = Path(__file__).resolve().parent.parent / "oohdesk"
PRODUCTION = {
    "OOHDESK_SECRET_KEY": "k" + secrets.token_urlsafe(60),
    "OOHDESK_ALLOWED_HOSTS": "desk.agency.example",
    "OOHDESK_BASE_URL": "https://desk.agency.example",
    "OOHDESK_HTTPS": "true",
    "OOHDESK_PROXY_COUNT": "1",
    "OOHDESK_EMAIL_HOST": "127.0.0.1",
    "OOHDESK_METRICS_TOKEN": "scrape-secret",
}


# Headers


@pytest.mark.parametrize("path", ["/report/", "/login/", "/healthz", "/api/v1/openapi.json", "/admin/login/"])
def test_security_headers(client, team, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response  # plain HTTP by default


def test_pages_need_no_inline_code(client, admin_client, team):
    report(team, NOW)
    page_id = Page.objects.get().id
    pages = [client.get("/report/"), client.get("/login/")]
    pages += [admin_client.get(path) for path in ["/dashboard/", f"/pages/{page_id}/", "/admin/", "/admin/tickets/ticket/"]]
    for response in pages:
        text = response.content.decode()
        assert response.status_code == 200
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), response.request["PATH_INFO"]
        assert not re.search(r"\sstyle=|\son[a-z]+=", text), response.request["PATH_INFO"]


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
    SECURE_SSL_REDIRECT=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_https_headers_and_cookies(team, django_user_model):
    django_user_model.objects.create_user("staff", password="correct horse battery", is_staff=True)
    browser = Client(HTTP_X_FORWARDED_PROTO="https")
    page = browser.get("/login/")
    assert page["Strict-Transport-Security"] == "max-age=31536000"
    assert page.cookies["csrftoken"]["secure"]
    token = page.cookies["csrftoken"].value
    signed_in = browser.post("/login/", {"username": "staff", "password": "correct horse battery", "csrfmiddlewaretoken": token})
    assert signed_in.status_code == 302
    assert signed_in.cookies["sessionid"]["secure"]
    assert signed_in.cookies["sessionid"]["httponly"]
    plain = Client().get("/report/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/report/"
    assert Client().get("/healthz").status_code in (200, 503)  # probes stay on plain HTTP


# Settings in a fresh process


def settings_in(tmp_path, **env) -> dict:
    desk = Desk(tmp_path, None, env)
    names = [
        "DEBUG", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER", "EMAIL_HOST_PASSWORD", "SECRET_KEY",
    ]
    code = f"import json; from django.conf import settings; print(json.dumps({{n: getattr(settings, n, None) for n in {names}}}))"
    result = desk.run("shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_plain_http(tmp_path):
    values = settings_in(tmp_path)
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_https_setting(tmp_path):
    values = settings_in(tmp_path, OOHDESK_HTTPS="true", OOHDESK_PROXY_COUNT="1")
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_secrets_from_files(tmp_path):
    (tmp_path / "password").write_text("smtp-password\n")
    (tmp_path / "key").write_text("from-a-file-" + "x" * 50)
    values = settings_in(
        tmp_path, OOHDESK_EMAIL_PASSWORD_FILE=str(tmp_path / "password"), OOHDESK_SECRET_KEY_FILE=str(tmp_path / "key")
    )
    assert values["EMAIL_HOST_PASSWORD"] == "smtp-password"
    assert values["SECRET_KEY"] == "from-a-file-" + "x" * 50


def test_check_deploy_clean(tmp_path):
    result = Desk(tmp_path, None, PRODUCTION).run("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_defaults(tmp_path):
    result = Desk(tmp_path, None).run("check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for check in ["oohdesk.W001", "oohdesk.W002", "oohdesk.W003", "oohdesk.W005", "oohdesk.W006", "security.W004", "security.W008"]:
        assert check in output, check


def test_check_deploy_https_needs_proxy(tmp_path):
    result = Desk(tmp_path, None, {**PRODUCTION, "OOHDESK_PROXY_COUNT": "0"}).run("check", "--deploy")
    assert "oohdesk.W004" in result.stdout + result.stderr


# Signatures compared in constant time


SIGNATURE_NAMES = re.compile(r"signature|digest|hmac|mac$|token|secret", re.IGNORECASE)


def _names(node) -> list[str]:
    return [part.id if isinstance(part, ast.Name) else part.attr for part in ast.walk(node) if isinstance(part, (ast.Name, ast.Attribute))]


def plain_comparisons(source: str) -> list[str]:
    """Return each ``==``/``!=`` whose operands name a signature, digest, token or secret."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
            operands = [node.left, *node.comparators]
            if any(isinstance(operand, ast.Constant) and operand.value in (None, "", 0) for operand in operands):
                continue  # an emptiness check leaks nothing
            if any(SIGNATURE_NAMES.search(name) for operand in operands for name in _names(operand)):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_signatures_compared_in_constant_time():
    problems = []
    for path in SOURCE.rglob("*.py"):
        if "migrations" not in path.parts:
            problems += [f"{path.relative_to(SOURCE)} {found}" for found in plain_comparisons(path.read_text())]
    assert problems == [], "compare secrets with hmac.compare_digest"


def test_plain_comparison_found():
    assert plain_comparisons("ok = computed_signature == request.headers['X-Signature']") == [
        "line 1: computed_signature == request.headers['X-Signature']"
    ]
    assert plain_comparisons("ok = hmac.compare_digest(expected_signature, sent)") == []


# Signed links


def test_ack_link_reuse_neutral(client, team, alice, bob):
    ticket = report(team, NOW)
    alice_path = f"/ack/{links.ack_token(ticket.page.id, alice.id)}/"
    bob_path = f"/ack/{links.ack_token(ticket.page.id, bob.id)}/"
    assert client.post(alice_path).status_code == 200
    invalid = client.get("/ack/nonsense/")

    for method in (client.get, client.post):
        reused = method(bob_path)
        assert reused.status_code == invalid.status_code == 404
        assert reused.content == invalid.content
    assert ticket.page.events.filter(kind="ack_ignored").count() == 0
    # The acknowledger's own link stays open, to defer or resolve the ticket.
    assert client.get(alice_path).status_code == 200


def test_ack_link_after_other_ack_neutral(client, team, alice, bob):
    ticket = report(team, NOW)
    acknowledge(ticket.page.id, NOW, bob, via="dashboard")
    response = client.get(f"/ack/{links.ack_token(ticket.page.id, alice.id)}/")
    assert response.status_code == 404
    assert ticket.ref not in response.content.decode()


def test_ack_link_for_deleted_ticket_neutral(client, team, alice):
    ticket = report(team, NOW)
    token = links.ack_token(ticket.page.id, alice.id)
    invalid = client.get("/ack/nonsense/")
    ticket.delete()
    response = client.get(f"/ack/{token}/")
    assert response.status_code == 404
    assert response.content == invalid.content


def test_ack_token_bound_to_page(team, alice):
    first = report(team, NOW)
    second = report(team, NOW, summary="Another problem", organisation="Other Ltd", site="https://other.example")
    token = links.ack_token(first.page.id, alice.id)
    other = links.ack_token(second.page.id, alice.id)
    assert links.read_ack_token(token) == (first.page.id, alice.id)
    # The second page's payload under the first page's timestamp and signature.
    payload, timestamp, signature = token.rsplit(":", 2)
    forged = f"{other.rsplit(':', 2)[0]}:{timestamp}:{signature}"
    assert forged != token
    with pytest.raises(signing.BadSignature):
        links.read_ack_token(forged)
    with pytest.raises(signing.BadSignature):
        links.read_status_token(token)


def test_status_link_expires(client, team, settings):
    with time_machine.travel(NOW, tick=False):
        ticket = report(team, NOW)
        path = links.status_path(ticket.ref)
    with time_machine.travel(NOW + timedelta(seconds=settings.OOHDESK_STATUS_LINK_MAX_AGE - 60), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(NOW + timedelta(seconds=settings.OOHDESK_STATUS_LINK_MAX_AGE + 60), tick=False):
        expired = client.get(path)
    assert expired.status_code == 404
    assert ticket.ref not in expired.content.decode()


def test_status_link_unknown_ticket_neutral(client, team):
    ticket = report(team, NOW)
    known_but_tampered = client.get(links.status_path(ticket.ref)[:-3] + "xx/")
    unknown = client.get(links.status_path("OOH-NONE22"))
    assert known_but_tampered.status_code == unknown.status_code == 404
    assert known_but_tampered.content == unknown.content


# Masking


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("alice@agency.example", "a•••@agency.example"),
        ("+44 7700 900123", "+•• •••• •••123"),
        ("07700900123", "••••••••123"),
        ("uQiRzpo4DXghDmr9QzzfQu27cmVRsG", "uQi••••••"),
        ("", ""),
    ],
)
def test_mask_destination(value, masked):
    assert mask_destination(value) == masked


def test_mask_helpers():
    assert mask_email("b@x.example") == "b•••@x.example"
    assert mask_phone("+1 (555) 010-9999") == "+• (•••) •••-•999"
    assert mask_text("550 <bob@agency.example> refused; call +44 7700 900123") == (
        "550 <b•••@agency.example> refused; call +•• •••• •••123"
    )


def test_delivery_log_masked(admin_client, team, alice):
    ContactMethod.objects.create(member=alice, kind="email", address="alice.private@agency.example", position=1)
    report(team, NOW)
    run_once(NOW)
    NotificationAttempt.objects.filter(channel="email").update(error="550 <alice.private@agency.example> unknown")
    page = Page.objects.get()
    attempt = NotificationAttempt.objects.get(channel="email")
    views = [
        f"/pages/{page.id}/",
        "/admin/paging/notificationattempt/",
        f"/admin/paging/notificationattempt/{attempt.id}/change/",
        f"/admin/paging/page/{page.id}/change/",
    ]
    for path in views:
        text = admin_client.get(path).content.decode()
        assert "alice.private@agency.example" not in text, path
        assert "a•••@agency.example" in text or attempt.masked_destination in text, path
