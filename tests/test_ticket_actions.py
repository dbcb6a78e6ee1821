"""Ticket actions as business rules: acknowledge, resolve, defer, priority, notes, replies, judgements."""

from datetime import time, timedelta

import pytest
from django.dispatch import receiver

from conftest import make_member, utc
from oohdesk.hours.models import BusinessCalendar, OpeningInterval
from oohdesk.paging.engine import run_once
from oohdesk.paging.models import ContactMethod, DemoPhoneMessage, NotificationAttempt, Page
from oohdesk.tickets import actions
from oohdesk.tickets.actions import ActionError, Actor
from oohdesk.tickets.models import AuditEntry, MisuseAlert, Ticket
from oohdesk.tickets.signals import ticket_changed
from reports import report

# Wednesday 9 December 2026 at 23:00 GMT: out of hours, Alice's week on call.
NIGHT = utc(2026, 12, 9, 23, 0)
NEXT_OPENING = utc(2026, 12, 10, 9, 0)
# Thursday 10 December 2026 at 11:00 GMT: working hours.
THURSDAY_MORNING = utc(2026, 12, 10, 11, 0)


@pytest.fixture
def changes():
    """Collect (ref, change) for every ticket_changed signal sent while the test runs."""
    seen = []

    @receiver(ticket_changed, weak=False)
    def collect(sender, ticket, change, at, **kwargs):
        seen.append((ticket.ref, change))

    yield seen
    ticket_changed.disconnect(collect)


def actions_of(ticket) -> list[str]:
    return list(AuditEntry.objects.filter(ticket=ticket).values_list("action", flat=True))


@pytest.mark.django_db
def test_received_is_audited(team):
    ticket = report(team, NIGHT)
    [entry] = AuditEntry.objects.filter(ticket=ticket)
    assert entry.action == AuditEntry.Action.RECEIVED
    assert entry.channel == "form"
    assert entry.actor_name == "Dana Customer (customer)"
    assert entry.new_value == "P1"


@pytest.mark.django_db
def test_acknowledge_audited_per_channel(team, alice, bob):
    first = report(team, NIGHT)
    second = report(team, NIGHT, summary="Search is broken", site="https://search.acme.example")
    actions.acknowledge_ticket(first, NIGHT + timedelta(minutes=1), Actor.for_member(alice), "dashboard")
    actions.acknowledge_ticket(second, NIGHT + timedelta(minutes=2), Actor.for_member(bob), "demo_phone")

    entry = AuditEntry.objects.get(ticket=first, action="acknowledged")
    assert entry.actor_member == alice
    assert entry.channel == "dashboard"
    assert entry.at == NIGHT + timedelta(minutes=1)
    other = AuditEntry.objects.get(ticket=second, action="acknowledged")
    assert other.actor_name == "Bob"
    assert other.channel == "demo_phone"


@pytest.mark.django_db
def test_late_acknowledge_audited(team, alice, bob):
    ticket = report(team, NIGHT)
    actions.acknowledge_ticket(ticket, NIGHT, Actor.for_member(alice), "link")
    outcome = actions.acknowledge_ticket(ticket, NIGHT + timedelta(seconds=5), Actor.for_member(bob), "api")
    assert "already" in outcome.message
    ignored = AuditEntry.objects.get(ticket=ticket, action="ack_ignored")
    assert ignored.actor_member == bob
    assert ignored.channel == "api"


@pytest.mark.django_db
def test_acknowledge_without_page(team, alice):
    ticket = report(team, NIGHT, site_down="no", affects_half="no")
    with pytest.raises(ActionError, match="did not page anyone"):
        actions.acknowledge_ticket(ticket, NIGHT, Actor.for_member(alice), "dashboard")


@pytest.mark.django_db
def test_resolve_needs_note(team, alice):
    ticket = report(team, NIGHT)
    with pytest.raises(ActionError) as raised:
        actions.resolve(ticket, NIGHT, Actor.for_member(alice), "dashboard", "   ")
    assert raised.value.field == "note"
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert actions_of(ticket) == ["received"]


@pytest.mark.django_db(transaction=True)
def test_resolve_stops_paging(team, alice, bob, changes):
    ticket = report(team, NIGHT)
    actions.resolve(ticket, NIGHT + timedelta(minutes=3), Actor.for_member(alice), "dashboard", "Restarted the web server.")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.resolved_at == NIGHT + timedelta(minutes=3)
    assert ticket.page.status == Page.Status.RESOLVED
    assert not NotificationAttempt.objects.filter(status=NotificationAttempt.Status.PENDING).exists()
    assert actions_of(ticket) == ["received", "acknowledged", "resolved"]
    assert AuditEntry.objects.get(ticket=ticket, action="resolved").text == "Restarted the web server."
    assert (ticket.ref, "resolved") in changes
    run_once(NIGHT + timedelta(hours=1))
    assert DemoPhoneMessage.objects.filter(member=bob).count() == 0


@pytest.mark.django_db
def test_resolve_twice_rejected(team, alice):
    ticket = report(team, NIGHT)
    actions.resolve(ticket, NIGHT, Actor.for_member(alice), "dashboard", "Fixed.")
    with pytest.raises(ActionError, match="already resolved"):
        actions.resolve(ticket, NIGHT, Actor.for_member(alice), "dashboard", "Fixed again.")


@pytest.mark.django_db(transaction=True)
def test_defer_drops_to_p3(team, alice, changes):
    ticket = report(team, NIGHT)
    outcome = actions.defer(ticket, NIGHT + timedelta(minutes=4), Actor.for_member(alice), "link", "Only the blog is down.")

    ticket.refresh_from_db()
    assert ticket.priority == "P3"
    assert ticket.status == Ticket.Status.HELD
    assert ticket.release_at == NEXT_OPENING
    assert ticket.deferred_at == NIGHT + timedelta(minutes=4)
    assert ticket.is_deferred
    assert ticket.page.status == Page.Status.RESOLVED
    assert "09:00 on Thursday 10 December 2026 (UK time)" in outcome.message
    deferred = AuditEntry.objects.get(ticket=ticket, action="deferred")
    assert (deferred.old_value, deferred.new_value) == ("P1", "P3")
    assert deferred.text == "Only the blog is down."
    assert deferred.channel == "link"
    assert (ticket.ref, "deferred") in changes


@pytest.mark.django_db
def test_defer_needs_reason(team, alice):
    ticket = report(team, NIGHT)
    with pytest.raises(ActionError) as raised:
        actions.defer(ticket, NIGHT, Actor.for_member(alice), "dashboard", "")
    assert raised.value.field == "reason"
    ticket.refresh_from_db()
    assert ticket.priority == "P1"
    assert ticket.page.status == Page.Status.TRIGGERED


@pytest.mark.django_db
def test_defer_in_hours_waits_next_day(team, alice):
    ticket = report(team, THURSDAY_MORNING, affects_half="no")
    actions.defer(ticket, THURSDAY_MORNING, Actor.for_member(alice), "dashboard", "Cosmetic.")
    ticket.refresh_from_db()
    assert ticket.release_at == utc(2026, 12, 11, 9, 0)


@pytest.mark.django_db
def test_defer_round_the_clock_rejected(team, alice):
    always = BusinessCalendar.objects.create(slug="always", name="Always open", time_zone="Europe/London")
    for weekday in range(7):
        OpeningInterval.objects.create(calendar=always, weekday=weekday, opens=time(0), closes=time(0))
    team.calendar = always
    team.save()
    ticket = report(team, NIGHT)
    with pytest.raises(ActionError, match="never closes"):
        actions.defer(ticket, NIGHT, Actor.for_member(alice), "dashboard", "Can wait.")
    ticket.refresh_from_db()
    assert ticket.priority == "P1"
    assert actions_of(ticket) == ["received"]


@pytest.mark.django_db
def test_defer_twice_rejected(team, alice):
    ticket = report(team, NIGHT)
    actions.defer(ticket, NIGHT, Actor.for_member(alice), "dashboard", "Can wait.")
    with pytest.raises(ActionError, match="already deferred until 09:00"):
        actions.defer(ticket, NIGHT, Actor.for_member(alice), "dashboard", "Again.")


@pytest.mark.django_db
def test_lower_needs_reason(team, alice):
    ticket = report(team, NIGHT)
    with pytest.raises(ActionError) as raised:
        actions.change_priority(ticket, NIGHT, Actor.for_member(alice), "dashboard", "P2", "")
    assert raised.value.field == "reason"
    assert "lowering" in raised.value.message
    ticket.refresh_from_db()
    assert ticket.priority == "P1"


@pytest.mark.django_db
def test_raise_needs_reason(team, alice):
    ticket = report(team, NIGHT, site_down="no", affects_half="no")
    with pytest.raises(ActionError, match="raising"):
        actions.change_priority(ticket, NIGHT, Actor.for_member(alice), "dashboard", "P1", " ")
    assert not Page.objects.filter(ticket=ticket).exists()


@pytest.mark.django_db
def test_priority_invalid_choice(team, alice):
    ticket = report(team, NIGHT)
    with pytest.raises(ActionError) as raised:
        actions.change_priority(ticket, NIGHT, Actor.for_member(alice), "dashboard", "P9", "Because.")
    assert raised.value.field == "priority"
    with pytest.raises(ActionError, match="already P1"):
        actions.change_priority(ticket, NIGHT, Actor.for_member(alice), "dashboard", "P1", "Because.")


@pytest.mark.django_db(transaction=True)
def test_raise_p3_opens_page(team, alice, bob, changes):
    ticket = report(team, NIGHT, site_down="no", affects_half="no")
    assert ticket.status == Ticket.Status.HELD
    actions.change_priority(ticket, NIGHT, Actor.for_member(bob), "dashboard", "P2", "Payments fail too.")

    ticket.refresh_from_db()
    assert ticket.priority == "P2"
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.release_at is None
    assert ticket.page.status == Page.Status.TRIGGERED
    run_once(NIGHT)
    assert DemoPhoneMessage.objects.filter(member=alice, page=ticket.page).count() == 1
    raised = AuditEntry.objects.get(ticket=ticket, action="priority_raised")
    assert (raised.old_value, raised.new_value, raised.actor_member) == ("P3", "P2", bob)
    assert (ticket.ref, "priority_raised") in changes


@pytest.mark.django_db
def test_lower_to_p3_stops_paging(team, alice, bob):
    ticket = report(team, NIGHT)
    actions.change_priority(ticket, NIGHT, Actor.for_member(alice), "dashboard", "P3", "A typo on one page.")
    ticket.refresh_from_db()
    assert ticket.priority == "P3"
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.page.status == Page.Status.ACKNOWLEDGED
    assert actions_of(ticket) == ["received", "acknowledged", "priority_lowered"]
    run_once(NIGHT + timedelta(hours=1))
    assert DemoPhoneMessage.objects.filter(member=bob).count() == 0


@pytest.mark.django_db
def test_lower_p1_to_p2_keeps_paging(team, alice):
    ticket = report(team, NIGHT)
    actions.change_priority(ticket, NIGHT, Actor.for_member(alice), "dashboard", "P2", "Only half the users.")
    ticket.refresh_from_db()
    assert ticket.page.status == Page.Status.TRIGGERED


@pytest.mark.django_db(transaction=True)
def test_note_and_reply(team, alice, changes):
    ticket = report(team, NIGHT)
    actions.add_note(ticket, NIGHT, Actor.for_member(alice), "dashboard", "Disk full on web-2.")
    actions.reply(ticket, NIGHT, Actor.for_member(alice), "dashboard", "We are on it and will update you within the hour.")
    assert actions_of(ticket)[-2:] == ["note_added", "replied"]
    assert (ticket.ref, "note_added") in changes
    assert (ticket.ref, "replied") in changes


@pytest.mark.django_db
def test_empty_note_rejected(team, alice):
    ticket = report(team, NIGHT)
    with pytest.raises(ActionError) as raised:
        actions.add_note(ticket, NIGHT, Actor.for_member(alice), "dashboard", "")
    assert raised.value.field == "text"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "Call me on 07700 900123 if it happens again.",
        "Call me on +44 7700 900123.",
        "Write to ALICE@agency.example directly.",
        "Or alice.mobile@personal.example.",
    ],
)
def test_reply_with_staff_contact_rejected(team, alice, text):
    ContactMethod.objects.create(member=alice, kind="sms", address="+447700900123", position=1)
    ContactMethod.objects.create(member=alice, kind="email", address="alice.mobile@personal.example", position=2)
    ticket = report(team, NIGHT)
    with pytest.raises(ActionError) as raised:
        actions.reply(ticket, NIGHT, Actor.for_member(alice), "dashboard", text)
    assert raised.value.field == "text"
    assert actions_of(ticket) == ["received"]


@pytest.mark.django_db
def test_reply_with_customer_number_allowed(team, alice):
    ContactMethod.objects.create(member=alice, kind="sms", address="+447700900123", position=1)
    ticket = report(team, NIGHT)
    actions.reply(ticket, NIGHT, Actor.for_member(alice), "dashboard", "We will call you on 020 7946 0000.")
    assert actions_of(ticket)[-1] == "replied"


@pytest.mark.django_db
def test_judge_only_urgent_reports(team, alice):
    ticket = report(team, NIGHT, site_down="no", affects_half="no")
    with pytest.raises(ActionError, match="not reported as urgent"):
        actions.judge(ticket, NIGHT, Actor.for_member(alice), "dashboard", False)


@pytest.mark.django_db
def test_judge_deferred_report(team, alice):
    ticket = report(team, NIGHT)
    actions.defer(ticket, NIGHT, Actor.for_member(alice), "dashboard", "Can wait.")
    actions.judge(ticket, NIGHT, Actor.for_member(alice), "dashboard", False, "A broken image.")
    ticket.refresh_from_db()
    assert ticket.genuine is False
    entry = AuditEntry.objects.get(ticket=ticket, action="judged_not_genuine")
    assert entry.text == "A broken image."
    with pytest.raises(ActionError, match="already marked not a genuine"):
        actions.judge(ticket, NIGHT, Actor.for_member(alice), "dashboard", False)


@pytest.mark.django_db
def test_misuse_tells_lead_once(team, alice, charlie, settings):
    settings.OOHDESK_MISUSE_LIMIT = 2
    settings.OOHDESK_MISUSE_PERIOD_DAYS = 30
    tickets = [report(team, NIGHT + timedelta(days=day)) for day in range(4)]
    for ticket in tickets[:2]:
        actions.judge(ticket, NIGHT + timedelta(days=5), Actor.for_member(alice), "dashboard", False)
    assert not MisuseAlert.objects.exists()

    outcome = actions.judge(tickets[2], NIGHT + timedelta(days=5), Actor.for_member(alice), "dashboard", False)
    assert "support lead has been told" in outcome.message
    alert = MisuseAlert.objects.get()
    assert alert.organisation == "Acme Widgets"
    assert alert.not_genuine_count == 3
    [notice] = NotificationAttempt.objects.filter(purpose=NotificationAttempt.Purpose.NOTICE)
    assert notice.member == charlie
    assert "Acme Widgets" in notice.title
    # Monday 14 December 23:00 is out of hours, so the notice waits for Tuesday 09:00.
    assert notice.due_at == utc(2026, 12, 15, 9, 0)

    actions.judge(tickets[3], NIGHT + timedelta(days=5), Actor.for_member(alice), "dashboard", False)
    assert MisuseAlert.objects.count() == 1
    assert NotificationAttempt.objects.filter(purpose=NotificationAttempt.Purpose.NOTICE).count() == 1


@pytest.mark.django_db
def test_misuse_counts_only_period(team, alice, settings):
    settings.OOHDESK_MISUSE_LIMIT = 1
    settings.OOHDESK_MISUSE_PERIOD_DAYS = 7
    old = report(team, NIGHT - timedelta(days=20))
    recent = report(team, NIGHT)
    actions.judge(old, NIGHT, Actor.for_member(alice), "dashboard", False)
    actions.judge(recent, NIGHT, Actor.for_member(alice), "dashboard", False)
    assert not MisuseAlert.objects.exists()


@pytest.mark.django_db
def test_misuse_matches_name_loosely(team, alice, settings):
    settings.OOHDESK_MISUSE_LIMIT = 1
    first = report(team, NIGHT, organisation="Acme  Widgets ")
    second = report(team, NIGHT, organisation="acme widgets", site="https://blog.acme.example")
    actions.judge(first, NIGHT, Actor.for_member(alice), "dashboard", False)
    actions.judge(second, NIGHT, Actor.for_member(alice), "dashboard", False)
    assert MisuseAlert.objects.count() == 1


@pytest.mark.django_db
def test_misuse_without_admin_tells_team_lead(team, alice, bob, charlie, settings):
    settings.OOHDESK_MISUSE_LIMIT = 0
    charlie.is_admin = False
    charlie.save()
    ticket = report(team, NIGHT)
    actions.judge(ticket, NIGHT, Actor.for_member(alice), "dashboard", False)
    [notice] = NotificationAttempt.objects.filter(purpose=NotificationAttempt.Purpose.NOTICE)
    assert notice.member == charlie


@pytest.mark.django_db
def test_actor_for_user_without_member(team, admin_user):
    ticket = report(team, NIGHT)
    actions.add_note(ticket, NIGHT, Actor.for_user(admin_user), "dashboard", "Checked the logs.")
    entry = AuditEntry.objects.get(ticket=ticket, action="note_added")
    assert entry.actor_user == admin_user
    assert entry.actor_member is None
    assert entry.actor_name == "admin"


@pytest.mark.django_db
def test_lone_member_actor(db, team):
    dora = make_member("dora")
    ticket = report(team, NIGHT)
    actions.acknowledge_ticket(ticket, NIGHT, Actor.for_member(dora), "api")
    assert AuditEntry.objects.get(ticket=ticket, action="acknowledged").actor_name == "Dora"


@pytest.mark.django_db
def test_duplicate_raise_audited(team):
    original = report(team, NIGHT, site_down="no", affects_half="no")
    report(team, NIGHT + timedelta(minutes=5), site_down="yes", affects_half="yes")
    raised = AuditEntry.objects.get(ticket=original, action="priority_raised")
    assert (raised.old_value, raised.new_value, raised.actor_name, raised.channel) == ("P3", "P1", "oohdesk", "form")
    assert "answered more urgently" in raised.text


@pytest.mark.django_db
def test_drill_not_linked_as_duplicate(team, bob):
    from oohdesk.tickets.drills import start_drill
    from oohdesk.tickets.forms import IssueReportForm
    from oohdesk.tickets.intake import accept_report
    from reports import GOOD_REPORT

    real = report(team, NIGHT)
    drill = start_drill(team, bob, "Practice", None, NIGHT)
    form = IssueReportForm(data={**GOOD_REPORT, "site_down": "yes", "affects_half": "yes"})
    assert form.is_valid()
    practice = accept_report(form, team, NIGHT + timedelta(minutes=1), source="form", drill=drill).ticket
    assert practice.duplicate_of is None
    assert Page.objects.filter(ticket=practice).exists()
    later = report(team, NIGHT + timedelta(minutes=2))
    assert later.duplicate_of == real
