"""Operational endpoints for monitors and load balancers: /healthz and /metrics."""

import hmac

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from oohdesk.operations.health import check_health
from oohdesk.operations.metrics import render_metrics

PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@never_cache
@require_safe
def healthz(request):
    """Return 200 when the database answers and an engine is live, otherwise 503, with the details as JSON."""
    health = check_health(timezone.now())
    return JsonResponse(health.as_json(), status=200 if health.ok else 503)


@never_cache
@require_safe
def metrics(request):
    """Return the metrics in the Prometheus text format; with OOHDESK_METRICS_TOKEN set, only to its bearer."""
    token = settings.OOHDESK_METRICS_TOKEN
    if token and not _bearer_matches(request, token):
        response = HttpResponse("Missing or wrong bearer token for /metrics.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="oohdesk metrics"'
        return response
    return HttpResponse(render_metrics(timezone.now()), content_type=PROMETHEUS_CONTENT_TYPE)


def _bearer_matches(request, token: str) -> bool:
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(sent.strip().encode(), token.encode())
