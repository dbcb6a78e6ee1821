"""The calendar endpoints of the JSON API: working hours, holidays, closures and one-off openings.

Every answer about working time comes from BusinessCalendar.working_hours(),
as it does for the form, the command line and the engine.
"""

from datetime import date, timedelta

from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone

from oohdesk.api.views import ApiError, api_view, isoformat, read_instant, read_json_object
from oohdesk.configuration.values import format_opening, parse_duration_text
from oohdesk.hours.closures import ClosedPeriod, Source
from oohdesk.hours.forms import ClosureForm, OneOffOpeningForm
from oohdesk.hours.models import WEEKDAYS, BusinessCalendar, Closure, OneOffOpening
from oohdesk.hours.report import report_hours, report_json

DEFAULT_DAYS = 365
MAX_DAYS = 3660


def _calendar(slug: str) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.filter(slug=slug).first()
    if calendar is None:
        slugs = ", ".join(BusinessCalendar.objects.order_by("slug").values_list("slug", flat=True)) or "none"
        raise ApiError.on(404, "slug", f"No calendar with the slug {slug!r}. The calendars are: {slugs}.")
    return calendar


def region_json(calendar: BusinessCalendar) -> dict | None:
    if not calendar.country:
        return None
    return {"country": calendar.country, "subdivision": calendar.subdivision or None, "name": calendar.region_label}


def calendar_json(calendar: BusinessCalendar) -> dict:
    hours: dict[str, list[str]] = {day: [] for day in WEEKDAYS}
    for opening in calendar.openings.all():
        hours[WEEKDAYS[opening.weekday]].append(format_opening(opening.opens, opening.closes))
    return {
        "slug": calendar.slug,
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "region": region_json(calendar),
        "opening_hours": hours,
    }


def closure_json(closure: ClosedPeriod) -> dict:
    return {
        "id": closure.closure_id,
        "name": closure.name,
        "first_day": closure.first_day.isoformat(),
        "last_day": closure.last_day.isoformat(),
        "source": closure.source,
    }


def agency_closure_json(row: Closure) -> dict:
    return closure_json(ClosedPeriod(row.first_day, row.last_day, row.name, Source.AGENCY, row.id))


def one_off_opening_json(row: OneOffOpening) -> dict:
    return {"id": row.id, "name": row.name, "date": row.date.isoformat(), "hours": format_opening(row.opens, row.closes)}


def _read_range(request, calendar: BusinessCalendar) -> tuple[date, date]:
    """Return the first and last date from the ``from`` and ``days`` parameters, today and a year by default."""
    text = request.GET.get("from")
    if text:
        try:
            first_day = date.fromisoformat(text)
        except ValueError:
            raise ApiError.on(400, "from", f"{text!r} is not a date; use YYYY-MM-DD, such as 2026-12-01.") from None
    else:
        first_day = timezone.now().astimezone(calendar.zone).date()
    days_text = request.GET.get("days", str(DEFAULT_DAYS))
    if not days_text.isdigit() or not 1 <= int(days_text) <= MAX_DAYS:
        raise ApiError.on(400, "days", f"{days_text!r} is not a number of days; use a whole number from 1 to {MAX_DAYS}.")
    try:
        return first_day, first_day + timedelta(days=int(days_text) - 1)
    except OverflowError:
        raise ApiError.on(400, "from", "The dates run past the year 9999; use an earlier date or fewer days.") from None


@api_view("GET", staff=True)
def calendar_list(request):
    calendars = BusinessCalendar.objects.prefetch_related("openings").order_by("slug")
    return JsonResponse({"calendars": [calendar_json(calendar) for calendar in calendars]})


@api_view("GET", staff=True)
def calendar_detail(request, slug: str):
    return JsonResponse(calendar_json(_calendar(slug)))


@api_view("GET", staff=True)
def calendar_hours(request, slug: str):
    """Say whether ``at`` is in working hours, the next opening, the day's holiday or closure, and ``at`` plus ``add``."""
    calendar = _calendar(slug)
    at = read_instant(request.GET.get("at"), calendar.zone)
    added = None
    if "add" in request.GET:
        try:
            added = timedelta(seconds=parse_duration_text(request.GET["add"]))
        except ValueError as error:
            raise ApiError.on(400, "add", f"{str(error)[0].upper()}{str(error)[1:]}.") from None
    return JsonResponse(report_json(calendar, report_hours(calendar, at, added), isoformat))


@api_view("GET", "POST", staff=True)
def calendar_closures(request, slug: str):
    """GET: the public holidays and agency closures in a range of dates. POST: add an agency closure."""
    calendar = _calendar(slug)
    if request.method == "POST":
        form = ClosureForm(_form_data(request, ("name", "first_day", "last_day")), instance=Closure(calendar=calendar))
        row = _save(form)
        return JsonResponse(agency_closure_json(row), status=201)
    first_day, last_day = _read_range(request, calendar)
    closures = [closure_json(closure) for closure in calendar.closures_in_force().between(first_day, last_day)]
    return JsonResponse({
        "calendar": calendar.slug,
        "region": region_json(calendar),
        "from": first_day.isoformat(),
        "to": last_day.isoformat(),
        "closures": closures,
    })


@api_view("DELETE", staff=True)
def calendar_closure(request, slug: str, closure_id: int):
    calendar = _calendar(slug)
    return _delete(calendar.closures, closure_id, agency_closure_json, f"No agency closure with the id {closure_id} in the calendar {slug!r}.")


@api_view("GET", "POST", staff=True)
def calendar_one_off_openings(request, slug: str):
    """GET: the one-off openings in a range of dates. POST: add one."""
    calendar = _calendar(slug)
    if request.method == "POST":
        form = OneOffOpeningForm(_form_data(request, ("name", "date", "opens", "closes")), calendar=calendar)
        row = _save(form)
        return JsonResponse(one_off_opening_json(row), status=201)
    first_day, last_day = _read_range(request, calendar)
    rows = calendar.one_off_openings.filter(date__range=(first_day, last_day)).order_by("date", "opens")
    return JsonResponse({
        "calendar": calendar.slug,
        "from": first_day.isoformat(),
        "to": last_day.isoformat(),
        "one_off_openings": [one_off_opening_json(row) for row in rows],
    })


@api_view("DELETE", staff=True)
def calendar_one_off_opening(request, slug: str, opening_id: int):
    calendar = _calendar(slug)
    return _delete(calendar.one_off_openings, opening_id, one_off_opening_json, f"No one-off opening with the id {opening_id} in the calendar {slug!r}.")


def _delete(rows, row_id: int, render, not_found: str) -> JsonResponse:
    """Delete the row with ``row_id`` and return it as JSON, or raise a 404 ApiError with ``not_found``."""
    row = rows.filter(id=row_id).first()
    if row is None:
        raise ApiError.on(404, "id", not_found)
    body = render(row)
    row.delete()
    return JsonResponse(body)


def _form_data(request, fields: tuple[str, ...]) -> dict:
    """Return the JSON body's fields as form data, rejecting any that is not a string."""
    body = read_json_object(request)
    problems = {
        name: ["Send this field as a JSON string."]
        for name in fields
        if body.get(name) is not None and not isinstance(body[name], str)
    }
    if problems:
        raise ApiError(400, problems)
    return {name: body[name] for name in fields if body.get(name) is not None}


def _save(form):
    if not form.is_valid():
        errors = {("body" if field == "__all__" else field): list(messages) for field, messages in form.errors.items()}
        raise ApiError(400, errors)
    with transaction.atomic():
        return form.save()
