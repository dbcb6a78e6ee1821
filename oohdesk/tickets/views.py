"""Customer pages: the Issue Report form, its confirmation and the private status page."""

import logging
import re
import secrets

from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from oohdesk import links
from oohdesk.rota.models import Team
from oohdesk.security.context import report_guard_context
from oohdesk.security.screening import screen_form_report
from oohdesk.tickets import misuse, status
from oohdesk.tickets.forms import IssueReportForm
from oohdesk.tickets.intake import IdempotencyConflict, accept_report
from oohdesk.tickets.models import Drill, Ticket
from oohdesk.zones import format_local

logger = logging.getLogger(__name__)

# Each rendered form carries a one-off key, so a double click on Send stores
# one ticket and pages once instead of twice.
FORM_KEY_PATTERN = re.compile(r"form-[A-Za-z0-9_-]{16,64}")

# The two Yes/No questions come last, after the high-priority criteria.
QUESTION_FIELDS = ("site_down", "affects_half")

# The organisation of the last report sent from this browser, so the next
# form is prefilled and shows the criteria first if that organisation is flagged.
ORGANISATION_COOKIE = "oohdesk_organisation"
ORGANISATION_COOKIE_AGE = 365 * 24 * 3600


def report(request):
    """Show the form for the only team, or the list of teams to choose from."""
    teams = list(Team.objects.all())
    if not teams:
        return render(request, "tickets/not_set_up.html")
    if len(teams) == 1:
        return show_report_form(request, teams[0], several_teams=False)
    return render(request, "tickets/choose_team.html", {"teams": teams})


def report_team(request, slug: str):
    team = get_object_or_404(Team, slug=slug)
    return show_report_form(request, team, several_teams=Team.objects.count() > 1)


def show_report_form(request, team: Team, several_teams: bool, drill: Drill | None = None):
    screening = None
    if request.method == "POST":
        form = IssueReportForm(request.POST, label_suffix="")
        if form.is_valid():
            screening = screen_form_report(request, form, team, timezone.now(), _posted_form_key(request))
        if screening and screening.accepted:
            ticket = _accept(form, team, _posted_form_key(request), drill)
            response = redirect("ticket-confirmation", token=links.status_token(ticket.ref))
            if not drill:
                remember_organisation(response, ticket.organisation)
            return response
        form_key = _posted_form_key(request) or _new_form_key()
    else:
        form = IssueReportForm(label_suffix="", initial=_initial(request))
        form_key = _new_form_key()
    organisation = form["organisation"].value() or remembered_organisation(request)
    context = {
        "form": form,
        "details": [field for field in form if field.name not in QUESTION_FIELDS],
        "questions": [form[name] for name in QUESTION_FIELDS],
        "team": team,
        "several_teams": several_teams,
        "form_key": form_key,
        "drill": drill,
        "criteria_first": misuse.is_flagged(organisation or "", timezone.now()),
        **report_guard_context(screening),
    }
    response = render(request, "tickets/report.html", context, status=screening.status if screening else 200)
    if screening and screening.retry_after:
        response["Retry-After"] = str(screening.retry_after)
    return response


def _initial(request) -> dict:
    """Prefill the organisation from ``?organisation=`` (a link the agency sends) or from the last report sent."""
    organisation = request.GET.get("organisation", "").strip() or remembered_organisation(request)
    return {"organisation": organisation[:100]} if organisation else {}


def remember_organisation(response, organisation: str) -> None:
    response.set_signed_cookie(
        ORGANISATION_COOKIE, organisation, salt=ORGANISATION_COOKIE, max_age=ORGANISATION_COOKIE_AGE,
        httponly=True, samesite="Lax",
    )


def remembered_organisation(request) -> str:
    return request.get_signed_cookie(ORGANISATION_COOKIE, default="", salt=ORGANISATION_COOKIE, max_age=ORGANISATION_COOKIE_AGE)


def _accept(form: IssueReportForm, team: Team, form_key: str | None, drill: Drill | None = None) -> Ticket:
    source = Ticket.Source.FORM
    try:
        return accept_report(form, team, timezone.now(), source=source, idempotency_key=form_key, drill=drill).ticket
    except IdempotencyConflict:
        # The customer went back after sending and changed the report: it is a new report.
        logger.info("form key reused for a changed report, storing a new ticket team=%s", team.slug)
        return accept_report(form, team, timezone.now(), source=source, drill=drill).ticket


def _new_form_key() -> str:
    return "form-" + secrets.token_urlsafe(24)


def _posted_form_key(request) -> str | None:
    key = request.POST.get("form_key", "")
    return key if FORM_KEY_PATTERN.fullmatch(key) else None


def _ticket_from_token(token: str) -> Ticket | None:
    try:
        ref = links.read_status_token(token)
    except signing.BadSignature as error:
        logger.info("status link rejected reason=%s", type(error).__name__)
        return None
    return Ticket.objects.select_related("team__calendar", "page").filter(ref=ref).first()


def _invalid_link(request):
    return render(request, "tickets/link_invalid.html", status=404)


def confirmation(request, token: str):
    ticket = _ticket_from_token(token)
    if ticket is None:
        return _invalid_link(request)
    context = {
        "ticket": ticket,
        "next_steps": status.next_steps(ticket),
        "status_url": links.status_url(ticket.ref),
    }
    return render(request, "tickets/confirmation.html", context)


def ticket_status(request, token: str):
    ticket = _ticket_from_token(token)
    if ticket is None:
        return _invalid_link(request)
    zone = ticket.team.calendar.zone
    updates = [(format_local(update.at, zone), update) for update in status.history(ticket)]
    context = {
        "ticket": ticket,
        "state": status.state(ticket),
        "state_label": status.STATE_LABELS[status.state(ticket)],
        "next_steps": status.next_steps(ticket),
        "received": format_local(ticket.received_at, zone),
        "last_update": format_local(status.last_update(ticket), zone),
        "deferred_until": format_local(ticket.release_at, zone) if ticket.is_deferred else "",
        "updates": updates,
    }
    return render(request, "tickets/status.html", context)
