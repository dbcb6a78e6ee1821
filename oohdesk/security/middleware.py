"""Security headers on every response, and a clear 503 while the database is unreachable."""

import logging

from django import db
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from oohdesk.security.screening import fallback_sentence

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before retrying while the database is unreachable.
RETRY_AFTER_SECONDS = 5


class SecurityHeadersMiddleware:
    """Add Content-Security-Policy and Permissions-Policy to every response that lacks them.

    Django's SecurityMiddleware already sets HSTS, X-Content-Type-Options,
    Referrer-Policy and Cross-Origin-Opener-Policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.OOHDESK_CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.OOHDESK_PERMISSIONS_POLICY)
        return response


class DatabaseUnavailableMiddleware:
    """Return 503 with Retry-After when a view fails because the database cannot be reached.

    Django's connection health checks reconnect on the next request, so a
    client that retries (an API client with its Idempotency-Key, a reporter
    pressing Send again) gets through once the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (db.OperationalError, db.InterfaceError)):
            return None
        logger.warning("request failed: database unreachable path=%s error=%s", request.path, type(exception).__name__)
        if request.path.startswith("/api/"):
            message = (
                "The service is briefly unavailable. Send the same request again in a few seconds, with the "
                "same Idempotency-Key so that a report already stored is not stored twice."
            )
            response = JsonResponse({"errors": {"service": [message]}}, status=503)
        else:
            # Rendered without the request: the context processors would look up the user in the database.
            page = render_to_string("security/unavailable.html", {"fallback": fallback_sentence()})
            response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
