"""Paging again when a ticket's priority goes up while its page is open.

A raise never restarts escalation: the page keeps its step and round, and a
step that is waiting gets the new priority's (shorter) timeout counted from
when the step started, so an overdue step escalates at the engine's next pass.
Whoever the page is with now is paged again at the new priority: the member who
acknowledged it, else the current step's members, else every admin once
escalation has ended.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from oohdesk.paging.escalation import record, step_targets
from oohdesk.paging.models import NotificationAttempt, Page, PageEvent
from oohdesk.paging.rules import planned_sends
from oohdesk.rota.models import Member

logger = logging.getLogger(__name__)


def raise_page_priority(page: Page, previous_priority: str, at: datetime, reason: str) -> int:
    """Page again at the ticket's new priority; return how many notifications were queued.

    Call inside the transaction that saved the raised ticket. ``reason`` is
    recorded on the page's timeline.
    """
    ticket = page.ticket
    if page.status == Page.Status.TRIGGERED and page.step_due_at is not None:
        _shorten_step(page, previous_priority, ticket.priority)
    targets = _current_responders(page, at)
    queued = _queue_repage(page, targets, at)
    names = ", ".join(member.name for member in targets) or "nobody reachable"
    record(
        page, at, PageEvent.Kind.PRIORITY_RAISED,
        f"Priority raised from {previous_priority} to {ticket.priority}: {reason} Paging again: {names}.",
    )
    logger.info(
        "page priority raised ticket=%s page=%s from=%s to=%s queued=%s",
        ticket.ref, page.id, previous_priority, ticket.priority, queued,
    )
    return queued


def _shorten_step(page: Page, previous_priority: str, priority: str) -> None:
    policy = page.policy
    started = page.step_due_at - timedelta(seconds=policy.ack_timeout(previous_priority))
    shortened = started + timedelta(seconds=policy.ack_timeout(priority))
    if shortened < page.step_due_at:
        page.step_due_at = shortened
        page.save(update_fields=["step_due_at"])


def _current_responders(page: Page, at: datetime) -> list[Member]:
    if page.acknowledged_by is not None:
        members = [page.acknowledged_by]
    elif page.admins_alerted_at is not None:
        members = list(Member.objects.filter(is_admin=True))
    else:
        steps = list(page.policy.steps.all())
        members = step_targets(page, steps[page.step_index], at) if page.step_index < len(steps) else []
    return [member for member in members if planned_sends(member, page.ticket.priority)]


def _queue_repage(page: Page, members: list[Member], at: datetime) -> int:
    queued = 0
    for member in members:
        for send in planned_sends(member, page.ticket.priority):
            method = send.method
            try:
                # A savepoint per row: a method already paged again in this step is skipped, not fatal.
                with transaction.atomic():
                    NotificationAttempt.objects.create(
                        page=page,
                        member=member,
                        contact_method=method,
                        purpose=NotificationAttempt.Purpose.REPAGE,
                        channel=method.kind,
                        destination=method.address,
                        step_index=page.step_index,
                        round=page.round,
                        due_at=at + timedelta(seconds=send.delay_seconds),
                        created_at=at,
                    )
            except IntegrityError:
                logger.info("repage skipped: already paged again in this step page=%s method=%s", page.id, method.id)
                continue
            queued += 1
    return queued
