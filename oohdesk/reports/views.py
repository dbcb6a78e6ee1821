"""The support lead's well-being report page and its CSV files. Staff only."""

import csv
from datetime import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from oohdesk.reports import charts, exports
from oohdesk.reports.fairness import fairness
from oohdesk.reports.figures import Period, Wellbeing, wellbeing
from oohdesk.reports.forms import ReportForm, default_data
from oohdesk.reports.organisations import organisation_rows
from oohdesk.rota.models import Team
from oohdesk.security.access import staff_required
from oohdesk.zones import get_zone, zone_label

CSV_SECTIONS = ("weeks", "people", "people-weeks", "organisations", "fairness")


def default_zone(user) -> str:
    """Return the zone a report opens in: the viewer's own, else the first team's calendar, else UK time."""
    member = getattr(user, "member", None)
    if member is not None:
        return member.time_zone
    team = Team.objects.select_related("calendar").order_by("id").first()
    return team.calendar.time_zone if team else "Europe/London"


def _form(request, now: datetime) -> ReportForm:
    zone = default_zone(request.user)
    today = now.astimezone(get_zone(zone)).date()
    data = default_data(today, zone)
    data.update({key: value for key, value in request.GET.items() if key in data and value.strip()})
    return ReportForm(data)


def _forbidden(request):
    return render(request, "reports/forbidden.html", status=403)


def _charts(figures: Wellbeing) -> list[charts.Chart]:
    weeks = sorted(figures.weeks)
    week_labels = [f"{week.day} {week:%b}" for week in weeks]
    tallies = [figures.weeks[week] for week in weeks]
    people = sorted(figures.people.items(), key=lambda item: figures.members[item[0]].name)
    names = [figures.members[member_id].name for member_id, _tally in people]
    person_tallies = [tally for _id, tally in people]
    return [
        charts.stacked_columns("Interruptions per week (weeks starting on the Monday shown)", week_labels, _interruption_series(tallies)),
        charts.stacked_columns("Interruptions per person", names, _interruption_series(person_tallies)),
    ]


def _interruption_series(tallies) -> list:
    """Split each tally's interruptions into in hours, out of hours by day, and at night."""
    return [
        ("in working hours", "bar-in-hours", [tally.interruptions - tally.out_of_hours for tally in tallies]),
        ("out of hours, not at night", "bar-out-of-hours", [tally.out_of_hours - _night_out(tally) for tally in tallies]),
        ("at night (22:00 to 07:00)", "bar-night", [_night_out(tally) for tally in tallies]),
    ]


def _night_out(tally) -> int:
    # Night is counted out of hours here; a calendar open at night would count its night pages twice otherwise.
    return min(tally.night, tally.out_of_hours)


@staff_required
@require_safe
def wellbeing_report(request):
    if not request.user.is_staff:
        return _forbidden(request)
    now = timezone.now()
    form = _form(request, now)
    context = {"form": form}
    if form.is_valid():
        zone = get_zone(form.cleaned_data["zone"])
        period = Period(form.cleaned_data["date_from"], form.cleaned_data["date_to"], zone)
        figures = wellbeing(period)
        context.update(
            {
                "period": period,
                "zone_name": zone_label(zone),
                "weeks": sorted(figures.weeks.items()),
                "people": sorted(figures.people.items(), key=lambda item: figures.members[item[0]].name),
                "people_weeks": sorted(
                    figures.people_weeks.items(), key=lambda item: (item[0][0], figures.members[item[0][1]].name)
                ),
                "members": figures.members,
                "organisations": organisation_rows(period, now),
                "fairness": fairness(form.cleaned_data["since"], form.cleaned_data["date_to"]),
                "charts": _charts(figures),
                "query": request.GET.urlencode(),
            }
        )
    return render(request, "reports/wellbeing.html", context, status=200 if form.is_valid() else 400)


@staff_required
@require_safe
def wellbeing_csv(request, section: str):
    if section not in CSV_SECTIONS:
        raise Http404("No such CSV file.")
    if not request.user.is_staff:
        return _forbidden(request)
    now = timezone.now()
    form = _form(request, now)
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return HttpResponse(f"Invalid report parameters. {problems}\n", status=400, content_type="text/plain")
    period = Period(form.cleaned_data["date_from"], form.cleaned_data["date_to"], get_zone(form.cleaned_data["zone"]))
    rows = _csv_rows(section, period, form.cleaned_data["since"], now)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"oohdesk-{section}-{period.first.isoformat()}-to-{period.last.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    csv.writer(response).writerows(rows)
    return response


def _csv_rows(section: str, period: Period, since, now: datetime):
    if section == "organisations":
        return exports.organisation_rows(organisation_rows(period, now))
    if section == "fairness":
        return exports.fairness_rows(fairness(since, period.last))
    figures = wellbeing(period)
    if section == "weeks":
        return exports.week_rows(figures)
    if section == "people":
        return exports.people_rows(figures)
    return exports.people_week_rows(figures)
