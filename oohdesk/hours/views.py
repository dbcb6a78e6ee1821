"""Staff pages for working hours: each calendar's hours, upcoming closures and one-off openings.

Any signed-in member may look; staff may add and remove closures and
one-off openings. Times are shown in the calendar's zone, with the zone named.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from oohdesk.configuration.values import format_duration, format_opening, parse_duration_text
from oohdesk.hours.closures import Source
from oohdesk.hours.forms import ClosureForm, OneOffOpeningForm
from oohdesk.hours.models import WEEKDAYS, BusinessCalendar, Closure
from oohdesk.hours.report import HoursReport, report_hours
from oohdesk.security.access import staff_required
from oohdesk.zones import format_local, parse_instant

logger = logging.getLogger(__name__)

# How far ahead the calendar page lists closures and one-off openings.
UPCOMING_DAYS = 365

SOURCE_LABELS = {Source.REGION: "Public holiday", Source.AGENCY: "Agency closure"}


@dataclass(frozen=True)
class CalendarRow:
    calendar: BusinessCalendar
    in_hours: bool
    next_opening: str


@dataclass(frozen=True)
class Check:
    """The result of the page's "check a time" form, or its errors."""

    report: HoursReport | None = None
    at: str = ""
    next_opening: str = ""
    result: str = ""
    added: str = ""
    errors: tuple[str, ...] = ()


@staff_required
def calendar_list(request):
    now = timezone.now()
    rows = []
    for calendar in BusinessCalendar.objects.order_by("name"):
        hours = calendar.working_hours()
        opening = hours.next_opening(now)
        rows.append(
            CalendarRow(
                calendar=calendar,
                in_hours=hours.is_open(now),
                next_opening=format_local(opening, calendar.zone) if opening else "",
            )
        )
    return render(request, "hours/calendar_list.html", {"rows": rows})


@staff_required
def calendar_detail(request, slug: str):
    calendar = get_object_or_404(BusinessCalendar, slug=slug)
    return _render_detail(request, calendar, ClosureForm(prefix="closure"), _opening_form(calendar))


def _render_detail(request, calendar: BusinessCalendar, closure_form, opening_form, status: int = 200):
    now = timezone.now()
    closures = calendar.closures_in_force()
    hours = calendar.working_hours(closures)
    today = now.astimezone(calendar.zone).date()
    last_day = today + timedelta(days=UPCOMING_DAYS - 1)
    upcoming = [
        {"closure": closure, "source": SOURCE_LABELS[closure.source]} for closure in closures.between(today, last_day)
    ]
    next_opening = hours.next_opening(now)
    context = {
        "calendar": calendar,
        "weekly": _weekly(calendar),
        "in_hours": hours.is_open(now),
        "now": format_local(now, calendar.zone),
        "next_opening": format_local(next_opening, calendar.zone) if next_opening else "",
        "upcoming": upcoming,
        "upcoming_days": UPCOMING_DAYS,
        "one_off_openings": calendar.one_off_openings.filter(date__range=(today, last_day)),
        "closure_form": closure_form,
        "opening_form": opening_form,
        "check": _check(request, calendar),
    }
    return render(request, "hours/calendar_detail.html", context, status=status)


def _weekly(calendar: BusinessCalendar) -> list[tuple[str, list[str]]]:
    by_day: dict[int, list[str]] = {day: [] for day in range(7)}
    for opening in calendar.openings.all():
        by_day[opening.weekday].append(format_opening(opening.opens, opening.closes).replace("-00:00", "-24:00"))
    return [(WEEKDAYS[day].title(), by_day[day]) for day in range(7)]


def _opening_form(calendar: BusinessCalendar, data=None) -> OneOffOpeningForm:
    return OneOffOpeningForm(data, calendar=calendar, prefix="opening")


def _check(request, calendar: BusinessCalendar) -> Check | None:
    """Answer the "check a time" form from the query string, as oohdesk hours does."""
    at_text = request.GET.get("at", "").strip()
    add_text = request.GET.get("add", "").strip()
    if not at_text and not add_text:
        return None
    errors = []
    at: datetime | None = timezone.now()
    added = None
    if at_text:
        try:
            at = parse_instant(at_text, calendar.zone)
        except ValueError as error:
            errors.append(f"Time: {error}")
    if add_text:
        try:
            added = timedelta(seconds=parse_duration_text(add_text))
        except ValueError as error:
            errors.append(f"Working time to add: {error}.")
    if errors:
        return Check(errors=tuple(errors))
    report = report_hours(calendar, at, added)
    zone = calendar.zone
    return Check(
        report=report,
        at=format_local(at, zone),
        next_opening=format_local(report.next_opening, zone) if report.next_opening else "",
        result=format_local(report.result, zone) if report.result else "",
        added=format_duration(int(added.total_seconds())) if added is not None else "",
    )


def _require_staff(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied("Only staff can change working hours.")


@staff_required
@require_POST
def add_closure(request, slug: str):
    _require_staff(request)
    calendar = get_object_or_404(BusinessCalendar, slug=slug)
    form = ClosureForm(request.POST, prefix="closure", instance=Closure(calendar=calendar))
    return _add(request, calendar, form, _opening_form(calendar), "closure")


@staff_required
@require_POST
def remove_closure(request, slug: str, closure_id: int):
    return _remove(request, slug, "closures", closure_id, "closure")


@staff_required
@require_POST
def add_opening(request, slug: str):
    _require_staff(request)
    calendar = get_object_or_404(BusinessCalendar, slug=slug)
    form = _opening_form(calendar, request.POST)
    return _add(request, calendar, ClosureForm(prefix="closure"), form, "one-off opening")


def _add(request, calendar: BusinessCalendar, closure_form, opening_form, noun: str):
    """Save whichever of the two forms was posted, or show the page again with its errors."""
    form = closure_form if closure_form.is_bound else opening_form
    if not form.is_valid():
        return _render_detail(request, calendar, closure_form, opening_form, status=400)
    with transaction.atomic():
        row = form.save()
    logger.info("%s added calendar=%s id=%s", noun, calendar.slug, row.id)
    messages.success(request, f"Added the {noun} {row}.")
    return redirect("hours-calendar", slug=calendar.slug)


@staff_required
@require_POST
def remove_opening(request, slug: str, opening_id: int):
    return _remove(request, slug, "one_off_openings", opening_id, "one-off opening")


def _remove(request, slug: str, related_name: str, row_id: int, noun: str):
    """Delete one of the calendar's closures or one-off openings, then go back to the calendar."""
    _require_staff(request)
    calendar = get_object_or_404(BusinessCalendar, slug=slug)
    row = get_object_or_404(getattr(calendar, related_name), id=row_id)
    row.delete()
    logger.info("%s removed calendar=%s id=%s", noun, calendar.slug, row_id)
    messages.success(request, f"Removed the {noun} {row}.")
    return redirect("hours-calendar", slug=calendar.slug)
