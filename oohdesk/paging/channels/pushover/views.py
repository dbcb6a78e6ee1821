"""Pushover's acknowledgement callback.

Pushover POSTs ``receipt``, ``acknowledged``, ``acknowledged_at``,
``acknowledged_by`` and ``acknowledged_by_device`` to the callback URL given
with an emergency message. Pushover does not sign the request, so the URL
carries a signed token naming the attempt, and the receipt must match it.
"""

import logging

from django.core import signing
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from oohdesk.paging.acks import acknowledge_attempt
from oohdesk.paging.channels.pushover import read_callback_token
from oohdesk.paging.models import NotificationAttempt

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def callback(request, token: str):
    try:
        attempt_id = read_callback_token(token)
    except signing.BadSignature:
        logger.warning("pushover callback rejected: bad token")
        return HttpResponseNotFound("Unknown callback.")
    attempt = NotificationAttempt.objects.filter(id=attempt_id, channel="pushover").first()
    if attempt is None or not attempt.provider_id or request.POST.get("receipt") != attempt.provider_id:
        logger.warning("pushover callback rejected: receipt does not match attempt=%s", attempt_id)
        return HttpResponseBadRequest("The receipt does not match this callback.")
    if request.POST.get("acknowledged") != "1":
        return HttpResponse("Not acknowledged; nothing to do.")
    result = acknowledge_attempt(attempt, timezone.now(), via="pushover")
    logger.info("pushover callback attempt=%s accepted=%s", attempt.id, result.accepted)
    return HttpResponse(result.message)
