from django.core.management.base import BaseCommand

from oohdesk.commandline import emit, iso, pick_calendar, read_at
from oohdesk.zones import format_local


class Command(BaseCommand):
    help = "Say whether a time is in working hours and when working hours next begin."

    def add_arguments(self, parser):
        parser.add_argument("--calendar", help="Calendar slug; may be left out when there is one calendar.")
        parser.add_argument("--at", help="ISO 8601 time; without an offset it is read in the calendar's zone.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        calendar = pick_calendar(options["calendar"])
        at = read_at(options["at"], calendar.zone)
        hours = calendar.working_hours()
        in_hours = hours.is_open(at)
        next_opening = hours.next_opening(at)
        result = {"calendar": calendar.slug, "at": iso(at), "in_hours": in_hours, "next_opening": iso(next_opening)}
        state = "in working hours" if in_hours else "out of hours"
        lines = [f"{format_local(at, calendar.zone)} is {state} for {calendar.name}."]
        if next_opening:
            lines.append(f"Working hours next begin at {format_local(next_opening, calendar.zone)}.")
        emit(self, result, options["json"], lines)
