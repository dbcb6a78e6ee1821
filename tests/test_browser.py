"""A customer and a developer in a real browser (Playwright driving Debian's Chromium) against `oohdesk serve`.

Screenshots of every step are saved under test-artefacts/browser/ for people
to look at; the assertions do not depend on them.
"""

import json
import re
import shutil
from pathlib import Path

import pytest

from processes import ROOT, Desk, desk_config, fresh_database

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = ROOT / "test-artefacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery-staple"
# Every report arrives out of hours, so a deferred ticket waits for the
# office's one open minute on Sunday at 04:00. Steps wait an hour, so nothing
# escalates while the test runs.
CONFIG = desk_config(ack_timeout="1h")
CUSTOMER = {
    "Your name": "Dana Customer",
    "Your email address": "dana@client.example",
    "Your phone number": "020 7946 0000",
    "Your organisation": "Acme Widgets",
    "Site or URL affected": "https://shop.acme.example",
    "Summary": "Checkout fails with an error",
    "What is happening?": "Every payment attempt shows a 500 error since 21:40.",
}
STAFF_DETAILS = ["agency.example", "Alice", "Ben", "Chloe"]


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """One running desk for the module's tests; each test files its own reports."""
    tmp_path = tmp_path_factory.mktemp("browser-desk")
    with fresh_database() as database_url:
        installation = Desk(tmp_path, database_url)
        config_file = tmp_path / "desk.yaml"
        config_file.write_text(CONFIG)
        applied = installation.run("config", "apply", str(config_file))
        assert applied.returncode == 0, applied.stderr
        users = installation.run(
            "shell", "-c",
            "from django.contrib.auth.models import User; from oohdesk.rota.models import Member\n"
            "for name in ['Alice Ahmed', 'Ben Carter']:\n"
            f"    user = User.objects.create_user(name.split()[0].lower(), password='{PASSWORD}')\n"
            "    Member.objects.filter(name=name).update(user=user)\n",
        )
        assert users.returncode == 0, users.stderr
        installation.start_web()
        try:
            yield installation
        finally:
            installation.stop_all()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def shots(request):
    """Return a function that saves a numbered full-page screenshot for this test."""
    folder = ARTEFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    count = iter(range(1, 100))

    def save(page, name: str) -> None:
        page.screenshot(path=str(folder / f"{next(count):02d}-{name}.png"), full_page=True)

    return save


def on_call(desk: Desk) -> str:
    return json.loads(desk.run("oncall", "--json").stdout)["on_call"]["name"]


def audit_trail(desk: Desk, ref: str) -> list[list[str]]:
    listed = desk.run(
        "shell", "--no-imports", "-c",
        "import json; from oohdesk.tickets.models import AuditEntry; "
        f"print(json.dumps([[e.action, e.channel, e.actor_name] for e in AuditEntry.objects.filter(ticket__ref='{ref}')]))",
    )
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def send_report(page, desk: Desk, shots) -> str:
    """Fill in and send the Issue Report form as a customer; return the reference."""
    page.goto(f"{desk.base_url}/report/")
    for label, value in CUSTOMER.items():
        page.get_by_label(label, exact=True).fill(value)
    page.locator("input[name=site_down][value=yes]").check()
    page.locator("input[name=affects_half][value=no]").check()
    shots(page, "customer-report-form")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_url(re.compile(r"/report/received/"))
    shots(page, "customer-confirmation")
    return re.search(r"OOH-[A-Z0-9]{6}", page.inner_text(".reference")).group(0)


def sign_in(page, desk: Desk, username: str) -> None:
    page.goto(f"{desk.base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in|Log in", re.I)).click()
    page.wait_for_url(re.compile(r"/dashboard/"))


def assert_no_staff_details(page) -> None:
    text = page.content()
    for private in STAFF_DETAILS:
        assert private not in text, private


def test_customer_and_developer(desk, browser, shots):
    customer = browser.new_context(viewport={"width": 420, "height": 900}).new_page()
    reference = send_report(customer, desk, shots)
    customer.locator(".status-link a").click()
    assert "On-call developer alerted" in customer.inner_text("main")
    assert_no_staff_details(customer)
    shots(customer, "customer-status-alerted")

    developer_name = on_call(desk)
    developer = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    sign_in(developer, desk, developer_name.split()[0].lower())
    assert reference in developer.inner_text("main")
    shots(developer, "developer-dashboard")

    developer.get_by_role("link", name=re.compile(reference)).first.click()
    developer.get_by_role("button", name="Acknowledge").click()
    assert "Acknowledged. Escalation has stopped." in developer.inner_text(".messages")
    shots(developer, "developer-acknowledged")
    customer.reload()
    assert "Acknowledged by a developer" in customer.inner_text("main")

    developer.get_by_label("Why it can wait").fill("Only the gift-card payment method fails; cards work.")
    developer.get_by_role("button", name="Defer").click()
    message = developer.inner_text(".messages")
    assert "is deferred to 04:00 on Sunday" in message
    assert "(UK time) as P3" in message
    shots(developer, "developer-deferred")

    developer.get_by_label("Message").fill("Card payments work; we will fix gift cards first thing.")
    developer.get_by_role("button", name="Send reply").click()
    customer.reload()
    status = customer.inner_text("main")
    assert "Deferred to working hours" in status
    assert re.search(r"until 04:00 on Sunday \d+ \w+ \d{4} \(UK time\)", status)
    assert "Card payments work; we will fix gift cards first thing." in status
    assert "gift-card payment method fails" not in status
    assert_no_staff_details(customer)
    shots(customer, "customer-status-deferred")

    developer.get_by_label("What was done").fill("Renewed the gift-card provider's API key.")
    developer.get_by_role("button", name="Resolve").click()
    assert "is resolved" in developer.inner_text(".messages")
    trail = developer.inner_text("table.audit-trail")
    for words in ["Report received", "Acknowledged", "Deferred to working hours", "Reply to the customer", "Resolved"]:
        assert words in trail, words
    shots(developer, "developer-resolved")
    customer.reload()
    assert "Resolved" in customer.inner_text(".state")
    assert_no_staff_details(customer)
    shots(customer, "customer-status-resolved")

    assert audit_trail(desk, reference) == [
        ["received", "form", "Dana Customer (customer)"],
        ["acknowledged", "dashboard", developer_name],
        ["deferred", "dashboard", developer_name],
        ["replied", "dashboard", developer_name],
        ["resolved", "dashboard", developer_name],
    ]


def test_developer_acts_from_page_link(desk, browser, shots):
    customer = browser.new_context().new_page()
    reference = send_report(customer, desk, shots)
    developer_name = on_call(desk)
    email = developer_name.split()[0].lower() + "@agency.example"
    ack_link = wait_for_ack_link(desk, reference, email)

    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(ack_link)
    shots(phone, "link-page")
    phone.get_by_role("button", name="Acknowledge").click()
    assert "Acknowledged. Escalation has stopped." in phone.inner_text("main")
    phone.get_by_label("Why it can wait").fill("One product image is missing.")
    phone.get_by_role("button", name="Defer").click()
    assert "is deferred to 04:00 on Sunday" in phone.inner_text(".messages")
    shots(phone, "link-deferred")
    phone.get_by_role("radio", name="No").check()
    phone.get_by_role("button", name="Save judgement").click()
    assert "not a genuine emergency" in phone.inner_text(".messages")

    assert audit_trail(desk, reference) == [
        ["received", "form", "Dana Customer (customer)"],
        ["acknowledged", "link", developer_name],
        ["deferred", "link", developer_name],
        ["judged_not_genuine", "link", developer_name],
    ]


def wait_for_ack_link(desk: Desk, reference: str, email: str, timeout: float = 15) -> str:
    """Return the acknowledgement link from the page email the engine wrote to the mail folder."""
    import time

    deadline = time.monotonic() + timeout
    mail_dir = desk.data_dir / "mail"
    while time.monotonic() < deadline:
        for message in sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []:
            text = message.read_text(errors="replace")
            if reference in text and f"To: {email}" in text:
                return re.search(r"http://127\.0\.0\.1:\d+/ack/\S+", text).group(0)
        time.sleep(0.1)
    raise AssertionError(f"no page email for {reference} to {email} within {timeout} s")
