from django.core.management.base import BaseCommand

from oohdesk.commandline import emit, iso, pick_team, read_at
from oohdesk.zones import format_local, get_zone


class Command(BaseCommand):
    help = "Show who is on call for a team at a time (now by default)."

    def add_arguments(self, parser):
        parser.add_argument("--team", help="Team slug; may be left out when there is one team.")
        parser.add_argument("--at", help="ISO 8601 time; without an offset it is read in the rota's zone.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        team = pick_team(options["team"])
        rota = getattr(team, "rota", None)
        zone = get_zone(rota.time_zone) if rota else team.calendar.zone
        at = read_at(options["at"], zone)
        member = team.on_call_at(at)
        result = {
            "team": team.slug,
            "at": iso(at),
            "on_call": {"name": member.name, "email": member.email} if member else None,
        }
        person = f"{member.name} <{member.email}>" if member else "nobody"
        emit(self, result, options["json"], [f"{team.name} at {format_local(at, zone)}: {person} is on call."])
