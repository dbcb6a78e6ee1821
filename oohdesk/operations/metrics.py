"""Metrics in the Prometheus text format (version 0.0.4), counted from the database on each scrape.

Every number comes from the database rather than from process memory, so any
web process reports for the whole desk, however many web and engine processes
run. Counts of stored rows (tickets, pages) only grow and are exposed as
counters; counts by a status that changes are gauges.
"""

import math
from datetime import datetime

from django.db.models import Count, Min

from oohdesk.operations.prometheus import Metric, render
from oohdesk.paging.models import EngineHeartbeat, NotificationAttempt, Page
from oohdesk.security.metrics import rejected_report_metrics
from oohdesk.tickets.models import Ticket

# Upper bounds, in seconds, of the acknowledgement time histogram's buckets.
ACK_BUCKETS = (30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


def ticket_metrics() -> list[Metric]:
    tickets = Metric("oohdesk_tickets_total", "counter", "Reports stored as tickets, by priority and source.")
    rows = Ticket.objects.values("priority", "source").annotate(count=Count("id")).order_by("priority", "source")
    for row in rows:
        tickets.add(row["count"], priority=row["priority"], source=row["source"])
    unverified = Metric(
        "oohdesk_tickets_challenge_unsolved_total", "counter", "Form reports accepted without a solved spam challenge."
    )
    unverified.add(Ticket.objects.filter(spam_check=Ticket.SpamCheck.UNVERIFIED).count())
    return [tickets, unverified]


def page_metrics() -> list[Metric]:
    created = Metric("oohdesk_pages_total", "counter", "Pages opened for urgent tickets.")
    created.add(Page.objects.count())
    by_status = Metric("oohdesk_pages", "gauge", "Pages by current status.")
    counts = dict(Page.objects.values_list("status").annotate(count=Count("id")).order_by())
    for status in Page.Status.values:
        by_status.add(counts.get(status, 0), status=status)
    return [created, by_status, ack_time_histogram()]


def ack_time_histogram() -> Metric:
    """Seconds from a page's opening to its acknowledgement, over every acknowledged page.

    The durations are read row by row: pages are emergencies, so even years of
    them are a few thousand rows.
    """
    histogram = Metric("oohdesk_page_ack_seconds", "histogram", "Seconds from opening a page to its acknowledgement.")
    pairs = Page.objects.filter(acknowledged_at__isnull=False).values_list("created_at", "acknowledged_at")
    durations = [max((acknowledged - created).total_seconds(), 0.0) for created, acknowledged in pairs]
    for bound in ACK_BUCKETS:
        histogram.add(sum(1 for seconds in durations if seconds <= bound), "_bucket", le=str(bound))
    histogram.add(len(durations), "_bucket", le="+Inf")
    histogram.add(round(sum(durations), 3), "_sum")
    histogram.add(len(durations), "_count")
    return histogram


def attempt_metrics() -> list[Metric]:
    attempts = Metric(
        "oohdesk_notification_attempts", "gauge", "Notification attempts by channel, purpose and current status."
    )
    rows = (
        NotificationAttempt.objects.values("channel", "purpose", "status")
        .annotate(count=Count("id"))
        .order_by("channel", "purpose", "status")
    )
    for row in rows:
        attempts.add(row["count"], channel=row["channel"], purpose=row["purpose"], status=row["status"])
    return [attempts]


def engine_metrics(at: datetime) -> list[Metric]:
    """Measure how far behind the engines are: the oldest due but unsent notification and the most overdue escalation."""
    oldest_due = NotificationAttempt.objects.filter(
        status=NotificationAttempt.Status.PENDING, due_at__lte=at
    ).aggregate(oldest=Min("due_at"))["oldest"]
    send_lag = Metric(
        "oohdesk_engine_send_lag_seconds", "gauge", "How long the oldest due notification has waited to be sent."
    )
    send_lag.add(_seconds_since(oldest_due, at))

    overdue_step = Page.objects.filter(status=Page.Status.TRIGGERED, step_due_at__lte=at).aggregate(
        oldest=Min("step_due_at")
    )["oldest"]
    escalation_lag = Metric(
        "oohdesk_engine_escalation_lag_seconds", "gauge", "How long the most overdue escalation step has waited."
    )
    escalation_lag.add(_seconds_since(overdue_step, at))

    newest = EngineHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    heartbeat = Metric(
        "oohdesk_engine_heartbeat_age_seconds", "gauge", "Seconds since any engine last reported; +Inf if none ever did."
    )
    heartbeat.add(_seconds_since(newest, at) if newest else math.inf)
    return [send_lag, escalation_lag, heartbeat]


def _seconds_since(then: datetime | None, at: datetime) -> float:
    return round(max((at - then).total_seconds(), 0.0), 3) if then else 0.0


def render_metrics(at: datetime) -> str:
    return render(
        [*ticket_metrics(), *page_metrics(), *attempt_metrics(), *engine_metrics(at), *rejected_report_metrics()]
    )
