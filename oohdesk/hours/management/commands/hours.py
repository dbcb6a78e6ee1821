from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from oohdesk.commandline import emit, iso, pick_calendar, read_at
from oohdesk.configuration.values import format_duration, parse_duration_text
from oohdesk.hours.report import report_hours, report_json
from oohdesk.zones import format_local


class Command(BaseCommand):
    help = (
        "Say whether a time is in working hours, when working hours next begin, whether the day is a "
        "holiday or a closure, and optionally what time it is after some working time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--calendar", help="Calendar slug; may be left out when there is one calendar.")
        parser.add_argument("--at", help="ISO 8601 time; without an offset it is read in the calendar's zone.")
        parser.add_argument(
            "--add",
            metavar="DURATION",
            help="Working time to add to --at, such as 4h, 90m or 300s; prints the time it runs out.",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        calendar = pick_calendar(options["calendar"])
        at = read_at(options["at"], calendar.zone)
        added = _read_duration(options["add"])
        report = report_hours(calendar, at, added)
        emit(self, report_json(calendar, report, iso), options["json"], _describe(calendar, report))


def _read_duration(text: str | None) -> timedelta | None:
    if text is None:
        return None
    try:
        return timedelta(seconds=parse_duration_text(text))
    except ValueError as error:
        raise CommandError(f"--add: {error}.") from None


def _describe(calendar, report) -> list[str]:
    zone = calendar.zone
    state = "in working hours" if report.in_hours else "out of hours"
    lines = [f"{format_local(report.at, zone)} is {state} for {calendar.name}."]
    if report.holiday:
        lines.append(f"It is a public holiday in {calendar.region_label}: {report.holiday}.")
    if report.closure:
        lines.append(f"The agency is closed: {report.closure}.")
    if report.one_off_opening:
        lines.append(f"A one-off opening replaces the usual hours that day: {report.one_off_opening}.")
    if report.next_opening:
        lines.append(f"Working hours next begin at {format_local(report.next_opening, zone)}.")
    if report.added is not None:
        amount = format_duration(int(report.added.total_seconds()))
        if report.result:
            lines.append(f"{amount} of working time later is {format_local(report.result, zone)}.")
        else:
            lines.append(f"The calendar has no {amount} of working time in the next ten years.")
    return lines
