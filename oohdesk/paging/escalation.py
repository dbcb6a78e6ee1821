"""Opening, escalating and acknowledging pages. All state lives in the database.

Each function takes ``at`` (an aware datetime) so tests drive the clock. A page
walks its policy's steps: a step notifies its target members through their
contact methods and waits the priority's acknowledgement timeout. A step with
nobody reachable fails at once and the next one starts at once. After the last
step the steps run again ``repeat_count`` times, then every admin is alerted
and escalation ends (the page stays open for a late acknowledgement).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction

from oohdesk.paging import announcements
from oohdesk.paging.followups import queue_withdrawals
from oohdesk.paging.wakeup import wake_after_commit
from oohdesk.paging.models import (
    EscalationStep,
    NotificationAttempt,
    Page,
    PageEvent,
)
from oohdesk.paging.rules import PlannedSend, planned_sends
from oohdesk.rota.models import Member
from oohdesk.tickets import audit
from oohdesk.tickets.models import AuditEntry
from oohdesk.tickets.signals import send_ticket_changed

logger = logging.getLogger(__name__)


def open_page(ticket, at: datetime) -> Page:
    """Create the page of an urgent ticket and start its first step; call inside the ticket's transaction."""
    team = ticket.team
    page = Page.objects.create(ticket=ticket, team=team, policy=team.escalation_policy, created_at=at)
    record(page, at, PageEvent.Kind.TRIGGERED, f"{ticket.get_priority_display()} report from {ticket.organisation}.")
    start_step(page, at)
    logger.info("page opened ticket=%s page=%s priority=%s", ticket.ref, page.id, ticket.priority)
    return page


def record(page: Page, at: datetime, kind: str, message: str, member: Member | None = None) -> PageEvent:
    return PageEvent.objects.create(page=page, at=at, kind=kind, message=message[:500], member=member)


def step_targets(page: Page, step: EscalationStep, at: datetime) -> list[Member]:
    """Return the members a step notifies at ``at`` (possibly none).

    The on-call member and the backup come from the team's own answers
    (Team.on_call_at and Team.backup_at), so overrides and the backup rota apply.
    Every step of a drill's page notifies the drill's chosen person and nobody else.
    """
    if page.ticket.is_drill:
        return drill_targets(page)
    team = page.team
    if step.target == EscalationStep.Target.TEAM_LEAD:
        member = team.lead
    elif step.target == EscalationStep.Target.ON_CALL:
        member = team.on_call_at(at)
    else:
        member = team.backup_at(at)
    return [member] if member else []


def drill_targets(page: Page) -> list[Member]:
    """Return the drill's chosen person, the only one a drill page may notify."""
    drill = page.ticket.drill
    return [drill.member] if drill else []


def queue_notifications(
    page: Page, members: list[Member], at: datetime, purpose: str, plans: dict[int, list[PlannedSend]] | None = None
) -> int:
    """Save one pending attempt per planned send of each member for the page's priority; return how many were queued.

    ``plans`` contains sends already planned in this transaction, by member id, so they are not read twice.
    """
    queued = 0
    for member in members:
        sends = plans[member.id] if plans and member.id in plans else planned_sends(member, page.ticket.priority)
        for send in sends:
            NotificationAttempt.objects.create(
                page=page,
                member=member,
                contact_method=send.method,
                purpose=purpose,
                channel=send.method.kind,
                destination=send.method.address,
                step_index=page.step_index,
                round=page.round,
                due_at=at + timedelta(seconds=send.delay_seconds),
                created_at=at,
            )
            queued += 1
    return queued


def start_step(page: Page, at: datetime) -> None:
    """Notify the current step's targets, skipping at once past any step with nobody reachable."""
    steps = list(page.policy.steps.all())
    while True:
        if page.step_index >= len(steps):
            if page.round >= page.policy.repeat_count:
                alert_admins(page, at)
                return
            page.round += 1
            page.step_index = 0
            record(page, at, PageEvent.Kind.ESCALATED, f"No acknowledgement: repeating the policy (round {page.round + 1}).")
            continue
        step = steps[page.step_index]
        plans = {}
        targets = reachable_targets(page, step_targets(page, step, at), at, plans)
        if targets and queue_notifications(page, targets, at, NotificationAttempt.Purpose.PAGE, plans):
            names = [member.name for member in targets]
            record(page, at, PageEvent.Kind.STEP_STARTED, f"Step {page.step_index + 1}: paging {', '.join(names)}.")
            announcements.queue_announcements(page, announcements.STEP_STARTED, announcements.step_text(page, names), at)
            page.step_due_at = at + timedelta(seconds=page.policy.ack_timeout(page.ticket.priority))
            page.save(update_fields=["step_index", "round", "step_due_at"])
            return
        record(page, at, PageEvent.Kind.STEP_FAILED, f"Step {page.step_index + 1} ({step.get_target_display()}): nobody reachable.")
        logger.warning("escalation step unreachable ticket=%s page=%s step=%s", page.ticket.ref, page.id, page.step_index + 1)
        page.step_index += 1


def move_step_from(page: Page, leaving: Member, at: datetime, reason: str) -> list[Member]:
    """Move the page's current step from ``leaving`` to whoever the step targets now; return the members paged.

    Does nothing unless ``leaving`` was paged in the current step and the
    step now targets somebody else. Their pending notifications for the step
    are cancelled, the new targets are paged, and the step's timeout restarts.
    """
    with transaction.atomic():
        page = Page.objects.select_for_update().select_related("ticket", "team", "policy").get(pk=page.pk)
        steps = list(page.policy.steps.all())
        if page.status != Page.Status.TRIGGERED or page.step_due_at is None or page.step_index >= len(steps):
            return []
        current = page.attempts.filter(step_index=page.step_index, round=page.round, purpose=NotificationAttempt.Purpose.PAGE)
        if not current.filter(member=leaving).exists():
            return []
        paged = set(current.values_list("member_id", flat=True))
        step = steps[page.step_index]
        targets = [member for member in step_targets(page, step, at) if planned_sends(member, page.ticket.priority)]
        newcomers = [member for member in targets if member.id not in paged]
        if not newcomers or leaving in targets:
            return []
        current.filter(member=leaving, status=NotificationAttempt.Status.PENDING).update(
            status=NotificationAttempt.Status.CANCELLED, error=f"Cancelled: {reason}."
        )
        queue_notifications(page, newcomers, at, NotificationAttempt.Purpose.PAGE)
        names = ", ".join(member.name for member in newcomers)
        record(page, at, PageEvent.Kind.STEP_STARTED, f"Step {page.step_index + 1} moved to {names}: {reason}.", newcomers[0])
        page.step_due_at = at + timedelta(seconds=page.policy.ack_timeout(page.ticket.priority))
        page.save(update_fields=["step_due_at"])
        moved_to = [member.id for member in newcomers]
        # Logged on commit only, so a preview of a rota change that rolls back leaves no trace.
        transaction.on_commit(lambda: logger.info("escalation step moved page=%s from=%s to=%s", page.id, leaving.id, moved_to))
    return newcomers
def reachable_targets(
    page: Page, members: list[Member], at: datetime, plans: dict[int, list[PlannedSend]] | None = None
) -> list[Member]:
    """Return the members with a usable method for the page's priority; record and report the others.

    Each member's planned sends are stored in ``plans``, when given, for queue_notifications to reuse.
    """
    reachable = []
    for member in members:
        sends = planned_sends(member, page.ticket.priority)
        if plans is not None:
            plans[member.id] = sends
        if sends:
            reachable.append(member)
        else:
            report_unreachable(page, member, at, "no verified, working contact method")
    return reachable


def report_unreachable(page: Page, member: Member, at: datetime, reason: str) -> None:
    """Record that ``member`` cannot be reached for ``page`` and tell the admins, once per page and member."""
    already = page.events.filter(kind=PageEvent.Kind.MEMBER_UNREACHABLE, member=member).exists()
    record(page, at, PageEvent.Kind.MEMBER_UNREACHABLE, f"{member.name} cannot be reached: {reason}.", member)
    logger.warning("member unreachable page=%s member=%s reason=%s", page.id, member.id, reason)
    if not already:
        tell_admins(
            f"{member.name} could not be paged for {page.ticket.ref}",
            f"{member.name} could not be reached for {page.ticket.ref} ({reason}), so escalation moved on.\n"
            "Check their contact methods: unverified or broken ones page nobody.",
            at,
        )


def tell_admins(title: str, body: str, at: datetime) -> int:
    """Queue a normal-priority notice to every admin; return how many notices were queued."""
    from oohdesk.paging.notices import queue_notice

    queued = 0
    for admin in Member.objects.filter(is_admin=True):
        queued += len(queue_notice(admin, title, body, at))
    return queued


def fail_step(page_id: int, step_index: int, round_number: int, at: datetime) -> bool:
    """Fail the page's current step at once because every notification of it failed; return whether it moved on.

    Nothing happens when the page has moved on or been acknowledged meanwhile.
    """
    with transaction.atomic():
        page = Page.objects.select_for_update().select_related("ticket", "team", "policy").get(id=page_id)
        current = (page.step_index, page.round) == (step_index, round_number)
        if page.status != Page.Status.TRIGGERED or not current or page.step_due_at is None:
            return False
        record(page, at, PageEvent.Kind.STEP_FAILED, f"Step {page.step_index + 1}: every notification failed, so escalation moves on.")
        page.step_index += 1
        start_step(page, at)
    return True


def alert_admins(page: Page, at: datetime) -> None:
    admins = list(Member.objects.filter(is_admin=True).prefetch_related("contact_methods"))
    if page.ticket.is_drill:
        admins = drill_targets(page)
    queued = queue_notifications(page, admins, at, NotificationAttempt.Purpose.ADMIN_ALERT)
    page.step_due_at = None
    page.admins_alerted_at = at
    page.save(update_fields=["step_index", "round", "step_due_at", "admins_alerted_at"])
    if queued:
        record(page, at, PageEvent.Kind.ADMINS_ALERTED, "Escalation ran out: every admin has been alerted.")
    else:
        record(page, at, PageEvent.Kind.ADMINS_ALERTED, "Escalation ran out and no admin has a contact method.")
        logger.error("escalation ran out with no admin to alert ticket=%s page=%s", page.ticket.ref, page.id)


def lock_skipping_locked(queryset):
    """Lock the rows ``queryset`` selects, skipping rows another transaction holds, where the database can (PostgreSQL).

    SQLite has no row locks, but it serialises writers, so callers still make
    each change with a conditional update or a unique constraint.
    """
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def escalate_due_pages(at: datetime, limit: int = 100) -> int:
    """Move every page whose step timed out by ``at`` to its next step; return how many moved.

    Each page moves in a transaction of its own, so a send waits for at most
    one page's changes rather than a whole batch (on SQLite, for its one write lock).
    """
    due = Page.objects.filter(status=Page.Status.TRIGGERED, step_due_at__lte=at)
    # A plain query first, so a loop with nothing due takes no lock.
    if not due.exists():
        return 0
    moved = 0
    while moved < limit:
        with transaction.atomic():
            page = lock_skipping_locked(due.select_related("ticket", "team", "policy").order_by("step_due_at", "id")).first()
            if page is None:
                break
            record(page, at, PageEvent.Kind.ESCALATED, f"Step {page.step_index + 1} timed out without an acknowledgement.")
            page.step_index += 1
            # start_step moves step_due_at past ``at`` or clears it, so the page is not picked again.
            start_step(page, at)
        moved += 1
    return moved


# Timeline wording of the provider acknowledgement routes, with product names kept as written.
# The audit trail names the same routes in tickets.audit.CHANNEL_LABELS, without the article.
PROVIDER_ROUTE_LABELS = {
    "pushover": "Pushover",
    "pushover_receipt": "the Pushover receipt",
    "phone_call": "a keypress on the phone call",
    "sms_reply": "an SMS reply",
    "ntfy": "the ntfy button",
}


def route_label(via: str) -> str:
    """Return how an acknowledgement route reads in a timeline, such as "the demo phone"."""
    from oohdesk.tickets.audit import channel_label

    if via in PROVIDER_ROUTE_LABELS:
        return PROVIDER_ROUTE_LABELS[via]
    return "the " + channel_label(via)[0].lower() + channel_label(via)[1:]


@dataclass(frozen=True)
class AckResult:
    accepted: bool
    message: str


def acknowledge(
    page_id: int, at: datetime, member: Member | None, via: str, user=None, source_attempt_id: int | None = None
) -> AckResult:
    """Acknowledge a page: stop its escalation, cancel every pending notification and withdraw those still ringing.

    A late acknowledgement, after escalation moved past the person, is accepted.
    Acknowledging an acknowledged or resolved page changes nothing. Both cases
    are written to the ticket's audit trail with ``via`` as the channel;
    ``user`` is the signed-in user acting, when there is one.
    ``source_attempt_id`` names the notification acknowledged through, which needs no withdrawal.
    """
    actor = _actor(member, user)
    with transaction.atomic():
        page = Page.objects.select_for_update().select_related("ticket").get(id=page_id)
        who = actor.label
        route = route_label(via)
        if page.status != Page.Status.TRIGGERED:
            record(page, at, PageEvent.Kind.ACK_IGNORED, f"Acknowledgement by {who} through {route} ignored: page already {page.status}.", member)
            audit.record(page.ticket, at, AuditEntry.Action.ACK_IGNORED, actor, via, f"The page was already {page.status}.")
            return AckResult(False, f"This page was already {page.get_status_display().lower()}.")
        page.status = Page.Status.ACKNOWLEDGED
        page.acknowledged_at = at
        page.acknowledged_by = member
        page.acknowledged_via = via
        page.step_due_at = None
        page.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "acknowledged_via", "step_due_at"])
        cancelled = _cancel_pending(page, "acknowledged")
        withdrawn = queue_withdrawals(page.attempts.exclude(id=source_attempt_id), at)
        record(
            page, at, PageEvent.Kind.ACKNOWLEDGED,
            f"Acknowledged by {who} through {route}. {cancelled} pending notifications cancelled"
            + (f", {withdrawn} to be withdrawn at the provider." if withdrawn else "."),
            member,
        )
        audit.record(page.ticket, at, AuditEntry.Action.ACKNOWLEDGED, actor, via)
        announcements.queue_announcements(page, announcements.ACKNOWLEDGED, announcements.acknowledged_text(page, who, route), at)
        send_ticket_changed(page.ticket, "acknowledged", at)
        wake_after_commit()
    logger.info("page acknowledged ticket=%s page=%s via=%s", page.ticket.ref, page.id, via)
    return AckResult(True, "Acknowledged. Escalation has stopped.")


def _actor(member: Member | None, user) -> audit.Actor:
    if member is not None:
        return audit.Actor.for_member(member)
    if user is not None:
        return audit.Actor.for_user(user)
    return audit.Actor()


def _cancel_pending(page: Page, reason: str) -> int:
    """Cancel the page's pending notifications, except announcements, which report the change itself."""
    return page.attempts.filter(status=NotificationAttempt.Status.PENDING).exclude(
        purpose=NotificationAttempt.Purpose.ANNOUNCEMENT
    ).update(status=NotificationAttempt.Status.CANCELLED, error=f"Cancelled: the page was {reason}.")


def close_page(page_id: int, at: datetime, message: str, member: Member | None = None) -> None:
    """Mark a page resolved because its ticket was resolved or deferred; call inside that change's transaction.

    Closing stops escalation, cancels pending notifications and withdraws those
    still ringing, like an acknowledgement does; the ticket's audit entry is the caller's to write.
    """
    page = Page.objects.select_for_update().get(id=page_id)
    if page.status == Page.Status.RESOLVED:
        return
    page.status = Page.Status.RESOLVED
    page.resolved_at = at
    page.step_due_at = None
    page.save(update_fields=["status", "resolved_at", "step_due_at"])
    _cancel_pending(page, "resolved")
    queue_withdrawals(page.attempts.all(), at)
    record(page, at, PageEvent.Kind.RESOLVED, message, member)
    logger.info("page closed page=%s", page.id)
