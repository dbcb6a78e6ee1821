import logging

from django.shortcuts import render

from oohdesk.security.screening import fallback_sentence

logger = logging.getLogger(__name__)


def csrf_failure(request, reason: str = ""):
    """Explain a rejected form post in plain words: usually a page left open too long, or cookies blocked."""
    logger.warning("form post rejected by the CSRF check path=%s reason=%s", request.path, reason.replace(" ", "_")[:80])
    return render(request, "security/csrf_failure.html", {"fallback": fallback_sentence()}, status=403)
