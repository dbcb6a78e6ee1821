"""Error pages that tell a customer or developer what to do next."""

import logging

from django.shortcuts import render

logger = logging.getLogger(__name__)


def csrf_failure(request, reason: str = ""):
    """Explain a rejected form post (usually an expired page or blocked cookies) instead of Django's stock page."""
    logger.info("form post rejected by the CSRF check path=%s reason=%s", request.path, reason)
    return render(request, "front/csrf_failure.html", status=403)
