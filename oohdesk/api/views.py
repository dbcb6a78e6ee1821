"""The JSON API at /api/v1/: plain Django views returning JsonResponse.

Every error has the shape ``{"errors": {"<field>": ["<message>", ...]}}``. The
field is a report field, a query or path parameter, a header name in lower
case with underscores, ``method`` or ``path``, or ``body`` for a problem with
the whole request body. openapi.py describes every response these views send.
"""

import functools
import json
from datetime import datetime, timezone as dt_timezone

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from oohdesk import links
from oohdesk.api import openapi
from oohdesk.api.auth import authenticate
from oohdesk.paging.escalation import acknowledge
from oohdesk.paging.models import Page
from oohdesk.rota import health
from oohdesk.rota.models import Team
from oohdesk.rota.oncall import Segment, range_problem
from oohdesk.security.screening import screen_api_report
from oohdesk.tickets import status
from oohdesk.tickets.forms import IssueReportForm
from oohdesk.tickets.intake import IdempotencyConflict, accept_report
from oohdesk.tickets.models import Ticket
from oohdesk.zones import parse_instant

IDEMPOTENCY_KEY_MAX_LENGTH = Ticket._meta.get_field("idempotency_key").max_length
TEXT_FIELDS = IssueReportForm._meta.fields
ANSWER_FIELDS = ("site_down", "affects_half")

ANSWER_MISSING = 'Missing answer, and there is no default: send true or false ("yes" or "no" also work).'
ANSWER_INVALID = 'Send true or false, or the string "yes" or "no" in lower case.'


class ApiError(Exception):
    """A request the API rejects; ``errors`` maps each field to its messages."""

    def __init__(self, status_code: int, errors: dict[str, list[str]], headers: dict | None = None):
        super().__init__(errors)
        self.status_code = status_code
        self.errors = errors
        self.headers = headers or {}

    @classmethod
    def on(cls, status_code: int, field: str, message: str) -> "ApiError":
        return cls(status_code, {field: [message]})

    def response(self) -> JsonResponse:
        response = JsonResponse({"errors": self.errors}, status=self.status_code)
        for name, value in self.headers.items():
            response[name] = value
        return response


def api_view(*methods: str, staff: bool = False):
    """Wrap a view: reject other methods with 405, check the staff token, turn ApiError into JSON.

    The views authenticate with a bearer token rather than a session cookie,
    so Django's CSRF check does not apply and is switched off.
    """

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                if request.method not in methods:
                    allowed = " or ".join(methods)
                    message = f"{request.method} is not allowed on this URL; use {allowed}."
                    raise ApiError(405, {"method": [message]}, {"Allow": ", ".join(methods)})
                if staff:
                    token = authenticate(request)
                    if isinstance(token, JsonResponse):
                        return token
                    request.api_token = token
                return view(request, *args, **kwargs)
            except ApiError as error:
                # django.request already logs every 4xx and 5xx response with its path.
                return error.response()

        return wrapper

    return decorator


def isoformat(at: datetime | None) -> str | None:
    """Format an aware instant as ISO 8601 in UTC to the second, such as 2026-01-05T09:00:00Z."""
    if at is None:
        return None
    return at.astimezone(dt_timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


# Rendering


def page_json(page: Page) -> dict:
    """Render a page. ``step`` and ``round`` count from 1, as the page's timeline does."""
    step_count = page.policy.steps.count()
    # After the last step of the last round the index is one past the end,
    # so it is capped to report the last step that ran.
    step_index = min(page.step_index, max(step_count - 1, 0))
    acknowledged_by = page.acknowledged_by
    return {
        "id": page.id,
        "status": page.status,
        "step": step_index + 1,
        "round": page.round + 1,
        "acknowledged_at": isoformat(page.acknowledged_at),
        "acknowledged_by": acknowledged_by.name if acknowledged_by else None,
    }


def ticket_json(ticket: Ticket) -> dict:
    return {
        "ref": ticket.ref,
        "priority": ticket.priority,
        "priority_label": ticket.get_priority_display(),
        "status": ticket.status,
        "state": status.state(ticket),
        "pages": getattr(ticket, "page", None) is not None,
        "out_of_hours": ticket.out_of_hours,
        "received_at": isoformat(ticket.received_at),
        "release_at": isoformat(ticket.release_at),
        "next_steps": status.next_steps(ticket),
        "status_url": links.status_url(ticket.ref),
        "verified": ticket.verified,
        "duplicate_of": ticket.duplicate_of.ref if ticket.duplicate_of else None,
    }


def _respond_by(ticket: Ticket):
    target = getattr(ticket, "response_target", None)
    return target.due_at if target else None


def ticket_detail_json(ticket: Ticket) -> dict:
    """Render a ticket for staff: the customer's view plus its page and response target."""
    page = getattr(ticket, "page", None)
    return {**ticket_json(ticket), "respond_by": isoformat(_respond_by(ticket)), "page": page_json(page) if page else None}


def load_ticket(**lookup) -> Ticket | None:
    related = ("team__calendar", "page__policy", "page__acknowledged_by", "response_target", "duplicate_of")
    return Ticket.objects.select_related(*related).filter(**lookup).first()


# Reading requests


def find_team(slug, *, field: str, list_slugs: bool) -> Team:
    """Return the team named by ``slug``, or the only team when ``slug`` is empty.

    Raises ApiError naming ``field``. Only staff calls pass ``list_slugs``,
    because the ticket endpoint is public and need not reveal every team.
    """
    if slug is not None and not isinstance(slug, str):
        raise ApiError.on(400, field, "Send the team's slug as a string, such as \"web\".")
    if slug:
        team = Team.objects.select_related("calendar").filter(slug=slug).first()
        if team is None:
            raise ApiError.on(400, field, f"No team with the slug {slug!r}. {_team_hint(list_slugs)}")
        return team

    teams = list(Team.objects.select_related("calendar")[:2])
    if len(teams) == 1:
        return teams[0]
    if not teams:
        raise ApiError.on(503, field, "No team has been set up yet; an admin must create one first.")
    raise ApiError.on(400, field, f"This desk has more than one team, so name one. {_team_hint(list_slugs)}")


def _team_hint(list_slugs: bool) -> str:
    if not list_slugs:
        return "Ask the agency which team slug to use."
    slugs = ", ".join(Team.objects.order_by("slug").values_list("slug", flat=True))
    return f"The teams are: {slugs}."


def read_idempotency_key(request, report: dict) -> str | None:
    """Return the key from the Idempotency-Key header or the body's "idempotency_key", for helpdesks that cannot set headers."""
    header = request.headers.get("Idempotency-Key")
    in_body = report.get("idempotency_key")
    if in_body is not None and not isinstance(in_body, str):
        raise ApiError.on(400, "idempotency_key", "Send idempotency_key as a JSON string, such as a UUID.")
    if header is not None and in_body is not None and header.strip() != in_body.strip():
        message = "The Idempotency-Key header and the body's idempotency_key differ; send one of them, or the same key in both."
        raise ApiError.on(400, "idempotency_key", message)
    key = header if header is not None else in_body
    if key is None:
        return None
    key = key.strip()
    if not key:
        message = "The idempotency key is empty; send a unique key, such as a UUID, or leave it out."
        raise ApiError.on(400, "idempotency_key", message)
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        message = (
            f"The idempotency key is {len(key)} characters long; the maximum is "
            f"{IDEMPOTENCY_KEY_MAX_LENGTH}. A UUID (36 characters) is enough."
        )
        raise ApiError.on(400, "idempotency_key", message)
    return key


def read_json_object(request) -> dict:
    if request.content_type != "application/json":
        sent = request.content_type or "no Content-Type"
        message = f"Send the report as JSON with the header Content-Type: application/json (this request sent {sent})."
        raise ApiError.on(400, "body", message)
    try:
        raw = request.body
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raise ApiError.on(413, "body", f"The request body is larger than {limit} bytes; shorten the description.") from None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError.on(400, "body", "The request body is not valid JSON; send one JSON object with the report's fields.") from None
    if not isinstance(data, dict):
        message = 'The request body must be a JSON object with the report\'s fields, such as {"summary": "Checkout fails", ...}.'
        raise ApiError.on(400, "body", message)
    return data


def _json_type(value) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", list: "an array", dict: "an object"}
    return names.get(type(value), "another type")


def form_data(report: dict) -> tuple[dict, dict[str, list[str]]]:
    """Convert a JSON report into IssueReportForm data, and return the errors found on the way.

    Text fields must be JSON strings, so a phone number sent as a number is
    rejected instead of losing its leading zero. A null counts as missing.
    """
    data, problems = {}, {}
    for name in TEXT_FIELDS:
        value = report.get(name)
        if value is None:
            continue
        if isinstance(value, str):
            data[name] = value
        else:
            problems[name] = [f"Send this field as a JSON string, not {_json_type(value)}."]
    for name in ANSWER_FIELDS:
        value = report.get(name)
        if value is None:
            problems[name] = [ANSWER_MISSING]
        elif isinstance(value, bool):
            data[name] = "yes" if value else "no"
        elif isinstance(value, str) and value in ("yes", "no"):
            data[name] = value
        else:
            problems[name] = [ANSWER_INVALID]
    return data, problems


def form_errors(form: IssueReportForm) -> dict[str, list[str]]:
    if form.is_valid():
        return {}
    return {("body" if field == "__all__" else field): list(messages) for field, messages in form.errors.items()}


def read_instant(text: str | None, zone, field: str = "at") -> datetime:
    """Parse the time parameter ``field``, or return now when it is empty."""
    if not text:
        return timezone.now()
    try:
        return parse_instant(text, zone)
    except ValueError as error:
        message = str(error)
        if " " in text:
            message += " In a query string, write a + in the offset as %2B."
        raise ApiError.on(400, field, message) from None


def read_range(request, zone) -> tuple[datetime, datetime]:
    """Parse the ``from`` and ``to`` parameters, which come together and without ``at``."""
    errors = {}
    if request.GET.get("at"):
        errors["at"] = ["Send either at, or from and to, not both."]
    for name in ("from", "to"):
        if not request.GET.get(name):
            errors[name] = [f"Missing {name}: send both from and to, such as from=2026-03-30T09:00&to=2026-04-06T09:00."]
    if errors:
        raise ApiError(400, errors)
    start = read_instant(request.GET["from"], zone, "from")
    end = read_instant(request.GET["to"], zone, "to")
    problem = range_problem(start, end)
    if problem:
        raise ApiError.on(400, "to", problem)
    return start, end


def person_json(member) -> dict | None:
    return {"name": member.name, "email": member.email} if member else None


def segment_json(segment: Segment) -> dict:
    return {
        "member": person_json(segment.member),
        "start": isoformat(segment.start),
        "end": isoformat(segment.end),
        "source": segment.source,
    }


# Endpoints


@api_view("POST")
def create_ticket(request):
    """Accept an Issue Report: 201 with the new ticket, or 200 with the first one for a repeated Idempotency-Key."""
    report = read_json_object(request)
    key = read_idempotency_key(request, report)
    data, problems = form_data(report)
    form = IssueReportForm(data)
    errors = {**form_errors(form), **problems}
    try:
        team = find_team(report.get("team"), field="team", list_slugs=False)
    except ApiError as error:
        if error.status_code != 400:
            raise
        errors.update(error.errors)
    if errors:
        raise ApiError(400, errors)
    screening = screen_api_report(request, form, team, timezone.now(), key)
    if not screening.accepted:
        raise ApiError(screening.status, {"rate_limit": [screening.refusal]}, {"Retry-After": str(screening.retry_after)})

    try:
        accepted = accept_report(form, team, timezone.now(), Ticket.Source.API, idempotency_key=key)
    except IdempotencyConflict as conflict:
        raise ApiError.on(422, "idempotency_key", str(conflict)) from None
    ticket = load_ticket(pk=accepted.ticket.pk)
    response = JsonResponse(ticket_json(ticket), status=201 if accepted.created else 200)
    response["Location"] = reverse("api-ticket", args=[ticket.ref])
    return response


@api_view("GET", staff=True)
def ticket_detail(request, ref: str):
    # References are printed in capitals but may be typed in lower case.
    ticket = load_ticket(ref=ref.upper())
    if ticket is None:
        raise ApiError.on(404, "ref", "No ticket with this reference.")
    return JsonResponse(ticket_detail_json(ticket))


@api_view("GET", staff=True)
def on_call(request):
    """Return who is on call for a team at ``at``, or the segments from ``from`` to ``to``.

    A time without an offset is read in the rota's zone.
    """
    team = find_team(request.GET.get("team"), field="team", list_slugs=True)
    rota = getattr(team, "rota", None)
    zone = rota.zone if rota else team.calendar.zone
    if "from" in request.GET or "to" in request.GET:
        start, end = read_range(request, zone)
        segments = rota.segments(start, end) if rota else []
        return JsonResponse(
            {
                "team": team.slug,
                "from": isoformat(start),
                "to": isoformat(end),
                "segments": [segment_json(segment) for segment in segments],
            }
        )
    at = read_instant(request.GET.get("at"), zone)
    return JsonResponse({"team": team.slug, "at": isoformat(at), "on_call": person_json(team.on_call_at(at))})


@api_view("GET", staff=True)
def rota_check(request):
    """Return the rota health problems of every team, or of the team named by ``team``."""
    slug = request.GET.get("team")
    teams = [find_team(slug, field="team", list_slugs=True)] if slug else None
    problems = health.check(timezone.now(), teams)
    return JsonResponse({"problems": [problem_json(problem) for problem in problems]})


def problem_json(problem: health.Problem) -> dict:
    return {
        "team": problem.team,
        "code": problem.code,
        "message": problem.message,
        "member": person_json(problem.member),
        "start": isoformat(problem.start),
        "end": isoformat(problem.end),
    }


@api_view("POST", staff=True)
def acknowledge_page(request, page_id: int):
    """Acknowledge a page as the token's user, returning 200 even when it was already acknowledged."""
    member = getattr(request.api_token.user, "member", None)
    try:
        result = acknowledge(page_id, timezone.now(), member, via="api", user=request.api_token.user)
    except Page.DoesNotExist:
        raise ApiError.on(404, "id", "No page with this id.") from None
    page = Page.objects.select_related("policy", "acknowledged_by").get(pk=page_id)
    return JsonResponse({"acknowledged": result.accepted, "message": result.message, "page": page_json(page)})


@api_view("GET")
def openapi_document(request):
    return JsonResponse(openapi.DOCUMENT)


def not_found(request, path: str = ""):
    message = "No API endpoint at this URL; the endpoints are listed at /api/v1/openapi.json."
    return ApiError.on(404, "path", message).response()
