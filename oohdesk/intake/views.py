"""Webhook endpoints for Intercom and Zendesk: check the signature, store the delivery, answer at once.

Filing the ticket happens afterwards in the engine (see deliveries.py), so a
helpdesk never waits for paging and never times out into a retry. A missing or
wrong signature gets 401 and stores nothing. Errors have the API's shape,
``{"errors": {"<field>": ["<message>"]}}``.
"""

import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from oohdesk.intake import zendesk
from oohdesk.intake.deliveries import store_delivery
from oohdesk.intake.intercom import REPORT_TOPICS
from oohdesk.intake.models import Source
from oohdesk.intake.signatures import intercom_signature_problem, zendesk_signature_problem

logger = logging.getLogger(__name__)

# Headers kept with a delivery, for an admin looking into it later; never the signature.
KEPT_HEADERS = ("User-Agent", "Content-Type", "X-Zendesk-Account-Id", "X-Zendesk-Webhook-Id")


class RequestRejected(Exception):
    def __init__(self, status_code: int, field: str, message: str):
        super().__init__(message)
        self.status_code = status_code
        self.field = field

    def response(self) -> JsonResponse:
        return JsonResponse({"errors": {self.field: [str(self)]}}, status=self.status_code)


def _raw_body(request) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        raise RequestRejected(413, "body", f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.") from None


def _json_object(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise RequestRejected(400, "body", "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise RequestRejected(400, "body", "The request body must be a JSON object.")
    return data


def _kept_headers(request) -> dict:
    return {name: request.headers[name] for name in KEPT_HEADERS if name in request.headers}


def _received(delivery, created: bool) -> JsonResponse:
    state = "received" if created else "already received"
    return JsonResponse({"status": state, "delivery": delivery.id})


@csrf_exempt
@require_POST
def intercom_webhook(request):
    """Store an Intercom notification about a new ticket or conversation; answer ``ping`` and ignore other topics."""
    try:
        secret = settings.OOHDESK_INTERCOM_CLIENT_SECRET
        if not secret:
            raise RequestRejected(503, "configuration", "Intercom is not set up here: set OOHDESK_INTERCOM_CLIENT_SECRET to the app's client secret.")
        body = _raw_body(request)
        problem = intercom_signature_problem(secret, body, request.headers.get("X-Hub-Signature"))
        if problem:
            logger.warning("intercom webhook rejected: bad or missing signature")
            raise RequestRejected(401, "signature", problem)
        notification = _json_object(body)
        topic = notification.get("topic")
        if topic == "ping":
            return JsonResponse({"status": "pong"})
        if topic not in REPORT_TOPICS:
            logger.info("intercom notification ignored topic=%r", topic)
            return JsonResponse({"status": "ignored", "topic": topic})
        notification_id = notification.get("id")
        if not isinstance(notification_id, str) or not notification_id.strip():
            raise RequestRejected(400, "id", "The notification has no id, so a redelivery could not be recognised.")
        delivery, created = store_delivery(
            Source.INTERCOM, notification_id.strip(), topic, body, _kept_headers(request), timezone.now()
        )
        return _received(delivery, created)
    except RequestRejected as rejected:
        return rejected.response()


@csrf_exempt
@require_POST
def zendesk_webhook(request):
    """Store the body of a Zendesk ticket trigger's webhook; its invocation id makes a redelivery store nothing."""
    try:
        secret = settings.OOHDESK_ZENDESK_SIGNING_SECRET
        if not secret:
            raise RequestRejected(503, "configuration", "Zendesk is not set up here: set OOHDESK_ZENDESK_SIGNING_SECRET to the webhook's signing secret.")
        body = _raw_body(request)
        now = timezone.now()
        problem = zendesk_signature_problem(
            secret,
            body,
            request.headers.get("X-Zendesk-Webhook-Signature"),
            request.headers.get("X-Zendesk-Webhook-Signature-Timestamp"),
            now,
            settings.OOHDESK_ZENDESK_SIGNATURE_MAX_AGE_SECONDS,
        )
        if problem:
            logger.warning("zendesk webhook rejected: bad, missing or stale signature")
            raise RequestRejected(401, "signature", problem)
        invocation_id = request.headers.get("X-Zendesk-Webhook-Invocation-Id", "").strip()
        if not invocation_id:
            raise RequestRejected(400, "invocation_id", "Missing X-Zendesk-Webhook-Invocation-Id header, so a redelivery could not be recognised.")
        try:
            zendesk.ticket_from_body(_json_object(body))
        except zendesk.InvalidBody as error:
            raise RequestRejected(400, "body", str(error)) from None
        delivery, created = store_delivery(Source.ZENDESK, invocation_id, "ticket", body, _kept_headers(request), now)
        return _received(delivery, created)
    except RequestRejected as rejected:
        return rejected.response()
