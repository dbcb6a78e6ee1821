from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from oohdesk.commandline import emit
from oohdesk.reports.figures import wellbeing
from oohdesk.reports.summary import send_weekly_summary, summary_text, week_period
from oohdesk.zones import get_zone


class Command(BaseCommand):
    help = "Print one week's well-being summary and, with --notify, send it to the support leads in their working hours."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="A date in the week, such as 2026-03-23 (default: last week).")
        parser.add_argument("--zone", default="Europe/London", help="IANA zone whose Monday 00:00 starts the week.")
        parser.add_argument("--notify", action="store_true", help="Queue the summary as a notice to every admin.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        try:
            zone = get_zone(options["zone"])
        except ValueError as error:
            raise CommandError(f"--zone: {error}") from None
        now = timezone.now()
        period = week_period(self._day(options["week"], now, zone), zone)
        figures = wellbeing(period)
        title, body = summary_text(figures)
        queued = send_weekly_summary(figures, now) if options["notify"] else []
        result = {
            "week_starting": period.first.isoformat(),
            "title": title,
            "body": body,
            "notices_queued": len(queued),
        }
        lines = [title, "", body]
        if options["notify"]:
            lines.append(f"\n{len(queued)} notices queued; each arrives in its reader's working hours.")
        emit(self, result, options["json"], lines)

    def _day(self, text, now, zone):
        if not text:
            return now.astimezone(zone).date() - timedelta(days=7)
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--week: {text!r} is not a date; use for example 2026-03-23.") from None
