"""Follow-up work on sent notifications: polling receipts and withdrawing after an acknowledgement.

Tasks live in the database and are claimed under a lease like notification
attempts, so a crash loses none. A task runs the channel's ``poll`` or
``withdraw``, both of which make one provider call with the provider timeout.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from oohdesk.paging.channels import CHANNELS, SendError, get_channel
from oohdesk.paging.models import NotificationAttempt, Page, PageEvent, ProviderTask

logger = logging.getLogger(__name__)
Action = ProviderTask.Action
TaskStatus = ProviderTask.Status
AttemptStatus = NotificationAttempt.Status


def schedule_poll(attempt: NotificationAttempt, at: datetime) -> None:
    """Ask the provider about ``attempt`` every OOHDESK_PUSHOVER_POLL_SECONDS until it is settled."""
    due = at + timedelta(seconds=settings.OOHDESK_PUSHOVER_POLL_SECONDS)
    # One statement: the unique constraint on (attempt, action) keeps a resent attempt to one poll task.
    task = ProviderTask(attempt=attempt, action=Action.POLL, due_at=due, created_at=at)
    ProviderTask.objects.bulk_create([task], ignore_conflicts=True)


def queue_withdrawals(attempts, at: datetime) -> int:
    """Queue a withdrawal for each sent attempt whose provider can still stop it; return how many were queued.

    Calling it twice for the same attempts queues nothing new.
    """
    kinds = [kind for kind, channel in CHANNELS.items() if channel.withdrawable]
    sent = attempts.filter(status=AttemptStatus.SENT, channel__in=kinds).exclude(provider_id="")
    queued = 0
    for attempt in sent:
        _task, created = ProviderTask.objects.get_or_create(
            attempt=attempt, action=Action.WITHDRAW, defaults={"due_at": at, "created_at": at}
        )
        queued += created
    return queued


def claim_due_tasks(at: datetime, limit: int) -> list[int]:
    """Mark up to ``limit`` due tasks as running under a lease; return their ids."""
    if limit <= 0:
        return []
    lease = timedelta(seconds=settings.OOHDESK_ENGINE_LEASE_SECONDS)
    due = ProviderTask.objects.filter(
        Q(status=TaskStatus.PENDING, due_at__lte=at) | Q(status=TaskStatus.RUNNING, claimed_until__lt=at)
    ).order_by("due_at", "id")
    # A plain query first, as for notification attempts: most loops find nothing due.
    if not due.exists():
        return []
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        ProviderTask.objects.filter(id__in=ids).update(
            status=TaskStatus.RUNNING, claimed_until=at + lease, tries=F("tries") + 1
        )
    return ids


def run_task(task_id: int, at: datetime | None = None) -> None:
    """Run one claimed task and record its outcome; provider failures are recorded, not raised."""
    at = at or timezone.now()
    task = ProviderTask.objects.select_related("attempt__page", "attempt__test_page", "attempt__member").get(id=task_id)
    try:
        if task.action == Action.POLL:
            _poll(task, at)
        else:
            _withdraw(task, at)
    except SendError as error:
        _failed(task, error, at)


def _poll(task: ProviderTask, at: datetime) -> None:
    from oohdesk.paging.acks import acknowledge_attempt, is_settled

    attempt = task.attempt
    if is_settled(attempt):
        _finish(task, TaskStatus.DONE, at, result={"stopped": "already acknowledged or closed"})
        return
    result = get_channel(attempt.channel).poll(attempt)
    if result.acknowledged:
        acknowledge_attempt(attempt, at, via=f"{attempt.channel}_receipt")
        _finish(task, TaskStatus.DONE, at, result=result.response)
    elif result.finished:
        _finish(task, TaskStatus.DONE, at, result=result.response)
    else:
        due = at + timedelta(seconds=settings.OOHDESK_PUSHOVER_POLL_SECONDS)
        _finish(task, TaskStatus.PENDING, at, result=result.response, due_at=due, tries=0)


def _withdraw(task: ProviderTask, at: datetime) -> None:
    attempt = task.attempt
    channel = get_channel(attempt.channel)
    response = channel.withdraw(attempt)
    _finish(task, TaskStatus.DONE, at, result=response)
    if attempt.page_id:
        from oohdesk.paging.escalation import record

        record(
            attempt.page, at, PageEvent.Kind.WITHDRAWN,
            f"{channel.label} notification to {attempt.member} withdrawn at the provider.", attempt.member,
        )
    logger.info("notification withdrawn attempt=%s channel=%s", attempt.id, attempt.channel)


def _failed(task: ProviderTask, error: SendError, at: datetime) -> None:
    logger.warning(
        "provider task failed task=%s action=%s attempt=%s permanent=%s error=%s",
        task.id, task.action, task.attempt_id, error.permanent, error,
    )
    if error.permanent or task.tries >= settings.OOHDESK_SEND_MAX_TRIES:
        _finish(task, TaskStatus.FAILED, at, error=str(error), result=error.response)
        return
    retry_at = at + timedelta(seconds=settings.OOHDESK_SEND_RETRY_SECONDS * task.tries)
    _finish(task, TaskStatus.PENDING, at, error=str(error), due_at=retry_at)


def _finish(task: ProviderTask, status: str, at: datetime, **fields) -> None:
    if status in (TaskStatus.DONE, TaskStatus.FAILED):
        fields["finished_at"] = at
    ProviderTask.objects.filter(id=task.id, status=TaskStatus.RUNNING).update(status=status, claimed_until=None, **fields)


class ProviderTaskWorker:
    """Engine work: receipt polls and withdrawals of sent notifications."""

    name = "provider_task"

    @property
    def concurrency(self) -> int:
        return settings.OOHDESK_ENGINE_CHANNEL_WORKERS

    def claim(self, at: datetime, limit: int) -> list[int]:
        return claim_due_tasks(at, limit)

    def run(self, item_id: int, at: datetime | None = None) -> None:
        run_task(item_id, at)
