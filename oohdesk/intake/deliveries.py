"""Webhook deliveries: stored by the view before it answers, turned into tickets by the engine.

Processing reads the stored body as a report and files it through
accept_report like any other, in one transaction with the delivery's new
status, the link to the helpdesk thread and the customer's messages. A
delivery that cannot be read as a report is rejected, and both the customer
(where they can be reached) and every admin are told why. One that fails for
another reason (a database error, a bug) is tried again, and after
OOHDESK_SEND_MAX_TRIES tries it fails with the admins told.
"""

import json
import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from oohdesk.intake import customers, intercom, zendesk
from oohdesk.intake.leases import claim_due, retry_delay
from oohdesk.intake.models import HelpdeskLink, Source, WebhookDelivery
from oohdesk.intake.reports import HelpdeskReport, HelpdeskReportForm, UnreadableReport
from oohdesk.paging import engine
from oohdesk.paging.notices import queue_notice
from oohdesk.rota.models import Member, Team
from oohdesk.tickets.intake import IdempotencyConflict, accept_report
from oohdesk.tickets.models import Ticket

logger = logging.getLogger(__name__)
Status = WebhookDelivery.Status

TEAM_SETTINGS = {Source.INTERCOM: "OOHDESK_INTERCOM_TEAM", Source.ZENDESK: "OOHDESK_ZENDESK_TEAM"}
NOT_SET_UP = "our desk is not yet set up to take reports from your helpdesk."


def store_delivery(source: str, delivery_id: str, topic: str, body: bytes, headers: dict, at: datetime) -> tuple[WebhookDelivery, bool]:
    """Save a signed delivery for processing; return it and whether it is new (False for a redelivery)."""
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                source=source,
                delivery_id=delivery_id,
                topic=topic[:100],
                received_at=at,
                due_at=at,
                body=body.decode("utf-8"),
                headers=headers,
            )
    except IntegrityError:
        return WebhookDelivery.objects.get(source=source, delivery_id=delivery_id), False
    engine.wake_after_commit()
    logger.info("webhook delivery stored delivery=%s source=%s topic=%s", delivery.id, source, topic)
    return delivery, True


def read_report(delivery: WebhookDelivery) -> HelpdeskReport | None:
    """Read the delivery's report; None when it is not an Issue Report. Raise UnreadableReport when it cannot be filed."""
    try:
        body = json.loads(delivery.body)
    except ValueError:
        raise UnreadableReport("The delivery's body is not valid JSON.") from None
    if delivery.source == Source.INTERCOM:
        report = intercom.report_from_notification(body)
    else:
        try:
            report = zendesk.report_from_body(body)
        except zendesk.InvalidBody as error:
            raise UnreadableReport(str(error)) from None
    return report.with_answers_read() if report else None


def helpdesk_team(source: str, report: HelpdeskReport) -> Team:
    setting = TEAM_SETTINGS[source]
    slug = getattr(settings, setting)
    if slug:
        team = Team.objects.select_related("calendar").filter(slug=slug).first()
        if team is None:
            raise UnreadableReport(f"{setting} is {slug!r}, but no team has that slug; an admin must correct it.", report, NOT_SET_UP)
        return team
    teams = list(Team.objects.select_related("calendar")[:2])
    if len(teams) != 1:
        raise UnreadableReport(f"This desk has {'no team' if not teams else 'several teams'}, so {setting} must name one.", report, NOT_SET_UP)
    return teams[0]


def file_report(delivery: WebhookDelivery, report: HelpdeskReport, at: datetime) -> Ticket:
    """Store the report's ticket and mark the delivery processed, in one transaction; return the ticket."""
    form = HelpdeskReportForm(report.form_data())
    if not form.is_valid():
        problems = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in form.errors.items())
        raise UnreadableReport(f"The report is invalid ({problems}).", report)
    team = helpdesk_team(delivery.source, report)
    with transaction.atomic():
        try:
            accepted = accept_report(form, team, delivery.received_at, delivery.source, idempotency_key=report.idempotency_key)
            ticket, created = accepted.ticket, accepted.created
        except IdempotencyConflict:
            # The same helpdesk object, sent again with changed content: it already has its ticket.
            ticket, created = Ticket.objects.get(idempotency_key=report.idempotency_key), False
        if created:
            HelpdeskLink.objects.create(ticket=ticket, source=report.source, object_type=report.object_type, object_id=report.object_id)
            customers.queue_confirmation(ticket, at)
        _finish(delivery, status=Status.PROCESSED, ticket=ticket, processed_at=at, error="")
    logger.info("webhook delivery processed delivery=%s ticket=%s new=%s", delivery.id, ticket.ref, created)
    return ticket


def process_delivery(delivery_id: int, at: datetime | None = None) -> None:
    """Turn one claimed delivery into a ticket, or record why not; failures are recorded, not raised."""
    at = at or timezone.now()
    delivery = WebhookDelivery.objects.get(id=delivery_id)
    if delivery.status != Status.PROCESSING:
        return
    if delivery.tries > settings.OOHDESK_SEND_MAX_TRIES:
        _give_up(delivery, "processing failed on every try.", at)
        return
    try:
        report = read_report(delivery)
        if report is None:
            _finish(delivery, status=Status.IGNORED, processed_at=at)
            logger.info("webhook delivery ignored: not an Issue Report delivery=%s topic=%s", delivery.id, delivery.topic)
            return
        file_report(delivery, report, at)
    except UnreadableReport as error:
        reject(delivery, error, at)
    except Exception as error:
        logger.exception("webhook delivery failed, will retry delivery=%s try=%s", delivery.id, delivery.tries)
        if delivery.tries >= settings.OOHDESK_SEND_MAX_TRIES:
            _give_up(delivery, f"processing failed {delivery.tries} times, last with: {error}", at)
        else:
            _finish(delivery, status=Status.PENDING, due_at=at + retry_delay(delivery.tries), error=str(error))


def reject(delivery: WebhookDelivery, error: UnreadableReport, at: datetime) -> None:
    """Mark a delivery rejected and tell the customer and the admins, in one transaction."""
    logger.warning("webhook delivery rejected delivery=%s source=%s reason=%s", delivery.id, delivery.source, error)
    with transaction.atomic():
        _finish(delivery, status=Status.REJECTED, processed_at=at, error=str(error))
        if error.report is not None:
            customers.queue_not_read(delivery, error.report, error.customer_reason, at)
        _tell_admins(delivery, str(error), at)


def _give_up(delivery: WebhookDelivery, reason: str, at: datetime) -> None:
    logger.error("webhook delivery failed for good delivery=%s source=%s", delivery.id, delivery.source)
    try:
        report = read_report(delivery)
    except UnreadableReport as error:
        report = error.report
    with transaction.atomic():
        _finish(delivery, status=Status.FAILED, processed_at=at, error=f"Gave up: {reason}")
        if report is not None:
            customers.queue_not_read(delivery, report, "an error on our side stopped it.", at)
        _tell_admins(delivery, reason, at)


def _tell_admins(delivery: WebhookDelivery, reason: str, at: datetime) -> None:
    """Queue a notice (normal priority, in working hours) to every admin about a report that was not filed."""
    source = delivery.get_source_display()
    title = f"A {source} report was not filed"
    body = (
        f"The {source} delivery {delivery.delivery_id}, received at {delivery.received_at:%Y-%m-%d %H:%M} UTC, "
        f"was not filed as a ticket: {reason}\n\n"
        "It is listed under Webhook deliveries in the admin, with its body."
    )
    admins = list(Member.objects.filter(is_admin=True))
    for admin in admins:
        queue_notice(admin, title, body, at)
    if not admins:
        logger.error("no admin to tell about a webhook delivery delivery=%s", delivery.id)


def _finish(delivery: WebhookDelivery, **fields) -> None:
    WebhookDelivery.objects.filter(id=delivery.id, status=Status.PROCESSING).update(claimed_until=None, **fields)


class DeliveryWorker:
    """Engine work: webhook deliveries waiting to be filed as tickets."""

    name = "webhook_delivery"
    concurrency = 4

    def claim(self, at: datetime, limit: int) -> list[int]:
        return claim_due(WebhookDelivery, at, limit, Status.PROCESSING)

    def run(self, item_id: int, at: datetime | None = None) -> None:
        process_delivery(item_id, at)
