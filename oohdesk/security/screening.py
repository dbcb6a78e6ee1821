"""Screening public reports before they are stored: spam-trap field, proof of work and rate limits.

The reporter of a refused report is shown why, with what to do instead, and the refusal is recorded as
a RejectedReport (without the reporter's details) and in the log, so a
genuine emergency is never dropped silently. A form report whose browser did
not solve the proof-of-work challenge (JavaScript off, an old browser, a page
served over plain HTTP) is accepted and marked unverified rather than refused,
because an emergency matters more than a spam-free inbox; unverified reports
get a tighter rate limit of their own.
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from oohdesk.security import challenge, ratelimit
from oohdesk.security.models import RejectedReport
from oohdesk.tickets.intake import fingerprint
from oohdesk.tickets.models import Ticket
from oohdesk.tickets.triage import priority_for

logger = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"
CHALLENGE_FIELD = "altcha"
Reason = RejectedReport.Reason


@dataclass(frozen=True)
class Screening:
    """The outcome: ``refusal`` is empty when the report may be stored."""

    refusal: str = ""
    status: int = 200
    retry_after: int | None = None
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return not self.refusal


def screen_form_report(request, form, team, at: datetime, idempotency_key: str | None) -> Screening:
    """Screen a valid IssueReportForm posted from the web page, marking its ticket verified or not."""
    if _already_stored(form, team, idempotency_key):
        return Screening()
    if request.POST.get(HONEYPOT_FIELD, ""):
        _record(Reason.HONEYPOT, Ticket.Source.FORM, form, team, at)
        return Screening(refusal=honeypot_message(), status=400, reason=Reason.HONEYPOT)

    problem = challenge.verify_solution(request.POST.get(CHALLENGE_FIELD, ""), at)
    verified = not problem
    form.instance.spam_check = Ticket.SpamCheck.PASSED if verified else Ticket.SpamCheck.UNVERIFIED
    if not verified:
        logger.info("report not verified by proof of work team=%s reason=%s", team.slug, problem.replace(" ", "_"))
    return _check_limits(request, form, team, at, Ticket.Source.FORM, verified)


def screen_api_report(request, form, team, at: datetime, idempotency_key: str | None) -> Screening:
    """Screen a valid report sent to the JSON API: rate limits only, since API clients are programs."""
    if _already_stored(form, team, idempotency_key):
        return Screening()
    return _check_limits(request, form, team, at, Ticket.Source.API, verified=True)


def _already_stored(form, team, idempotency_key: str | None) -> bool:
    """Return whether this is a retry of a stored report, which gets the first ticket back and so is not counted.

    A reused key with a different report is not a retry and is screened as new.
    """
    if not idempotency_key:
        return False
    report_fingerprint = fingerprint({**form.cleaned_data, "team": team.slug})
    return Ticket.objects.filter(idempotency_key=idempotency_key, request_fingerprint=report_fingerprint).exists()


def _check_limits(request, form, team, at: datetime, source: str, verified: bool) -> Screening:
    address = ratelimit.client_ip(request)
    organisation = ratelimit.organisation_key(form.cleaned_data["organisation"])
    limits = [
        (Reason.RATE_LIMIT_IP, ratelimit.hashed_key("ip", address), settings.OOHDESK_REPORTS_PER_IP),
        (
            Reason.RATE_LIMIT_ORGANISATION,
            ratelimit.hashed_key("org", organisation),
            settings.OOHDESK_REPORTS_PER_ORGANISATION,
        ),
    ]
    if not verified:
        limits.insert(
            1,
            (
                Reason.RATE_LIMIT_UNVERIFIED,
                ratelimit.hashed_key("ip-unverified", address),
                settings.OOHDESK_UNVERIFIED_REPORTS_PER_IP,
            ),
        )
    for reason, key, limit in limits:
        limited = ratelimit.hit(key, limit, at)
        if limited:
            _record(reason, source, form, team, at, retry_after=limited.retry_after)
            return Screening(
                refusal=rate_limit_message(reason, limited.retry_after),
                status=429,
                retry_after=limited.retry_after,
                reason=reason,
            )
    return Screening()


def _record(reason: str, source: str, form, team, at: datetime, retry_after: int | None = None) -> None:
    priority = priority_for(*form.answers())
    RejectedReport.objects.create(at=at, reason=reason, source=source, priority=priority, team_slug=team.slug)
    logger.warning(
        "report refused reason=%s source=%s priority=%s team=%s retry_after=%s",
        reason, source, priority, team.slug, retry_after,
    )


def fallback_sentence() -> str:
    address = settings.OOHDESK_FALLBACK_EMAIL
    if address:
        return f"If this is an emergency that cannot wait, email {address} with the details of your report."
    return "If this is an emergency that cannot wait, email your usual contact at the agency with the details of your report."


def rate_limit_message(reason: str, retry_after: int) -> str:
    minutes = max(math.ceil(retry_after / 60), 1)
    wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
    what = {
        Reason.RATE_LIMIT_IP: "Too many reports have come from your network",
        Reason.RATE_LIMIT_UNVERIFIED: "Too many reports have come from your network without passing our automatic spam check",
        Reason.RATE_LIMIT_ORGANISATION: "Too many reports have been sent for your organisation",
    }[reason]
    return f"{what} recently, so this report has not been sent. Send it again in {wait}. {fallback_sentence()}"


def honeypot_message() -> str:
    return (
        "A hidden field that only automated tools fill in was filled in, so this report has not been sent. "
        f"Send the report again. {fallback_sentence()}"
    )
