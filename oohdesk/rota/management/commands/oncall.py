from django.core.management.base import BaseCommand, CommandError

from oohdesk.commandline import emit, iso, pick_team, read_at
from oohdesk.rota.oncall import range_problem
from oohdesk.zones import format_local


def person(member) -> dict | None:
    return {"name": member.name, "email": member.email} if member else None


class Command(BaseCommand):
    help = "Show who is on call for a team at a time (now by default), or the segments over a range."

    def add_arguments(self, parser):
        parser.add_argument("--team", help="Team slug; may be left out when there is one team.")
        parser.add_argument("--at", help="ISO 8601 time; without an offset it is read in the rota's zone.")
        parser.add_argument("--from", dest="start", metavar="ISO", help="With --to: the start of a range, read like --at.")
        parser.add_argument("--to", dest="end", metavar="ISO", help="With --from: the end of the range (exclusive).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        team = pick_team(options["team"])
        rota = getattr(team, "rota", None)
        zone = rota.zone if rota else team.calendar.zone
        if options["start"] or options["end"]:
            self._segments(team, rota, zone, options)
            return
        at = read_at(options["at"], zone)
        member = team.on_call_at(at)
        result = {"team": team.slug, "at": iso(at), "on_call": person(member)}
        who = f"{member.name} <{member.email}>" if member else "nobody"
        emit(self, result, options["json"], [f"{team.name} at {format_local(at, zone)}: {who} is on call."])

    def _segments(self, team, rota, zone, options) -> None:
        if options["at"]:
            raise CommandError("--at cannot be used with --from and --to; give either --at, or --from and --to.")
        if not (options["start"] and options["end"]):
            raise CommandError("--from and --to go together; give both, such as --from 2026-03-30 --to 2026-04-06.")
        start = read_at(options["start"], zone, "--from")
        end = read_at(options["end"], zone, "--to")
        problem = range_problem(start, end)
        if problem:
            raise CommandError(f"--to: {problem}")
        segments = rota.segments(start, end) if rota else []
        result = {
            "team": team.slug,
            "from": iso(start),
            "to": iso(end),
            "segments": [
                {"member": person(segment.member), "start": iso(segment.start), "end": iso(segment.end), "source": segment.source}
                for segment in segments
            ],
        }
        lines = [f"{team.name} from {format_local(start, zone)} to {format_local(end, zone)}:"]
        for segment in segments:
            lines.append(
                f"  {format_local(segment.start, zone)} to {format_local(segment.end, zone)}: "
                f"{segment.member.name} <{segment.member.email}> ({segment.source})"
            )
        if not segments:
            lines.append("  nobody is on call.")
        emit(self, result, options["json"], lines)
