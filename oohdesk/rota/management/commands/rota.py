from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from oohdesk.commandline import emit, iso, pick_team, read_at
from oohdesk.rota import health
from oohdesk.rota.models import Team
from oohdesk.zones import format_local, get_zone

# The exit status when the check finds problems, so monitoring can alert on it.
PROBLEMS_STATUS = 1


class Command(BaseCommand):
    help = "Check the rotas for problems: members nobody can page, empty rotas a policy uses, and gaps."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check"], help="check: list the problems and exit with status 1 if any.")
        parser.add_argument("--team", help="Team slug; every team when left out.")
        parser.add_argument("--at", help="ISO 8601 time to check from (now by default); without an offset it is read in the rota's zone, or in UTC for several teams.")
        parser.add_argument("--days", type=int, default=health.DEFAULT_HORIZON.days, help="How many days ahead to look for gaps (default 28).")
        parser.add_argument("--json", action="store_true", help='Print one JSON object, {"problems": [...]}.')

    def handle(self, *args, **options):
        if not 1 <= options["days"] <= 366:
            raise CommandError(f"--days {options['days']} is out of range; use 1 to 366.", returncode=2)
        teams = [pick_team(options["team"])] if options["team"] else list(Team.objects.select_related("rota").order_by("slug"))
        rotas = [team.rota for team in teams if getattr(team, "rota", None)]
        # One team's times read and print in its rota's zone; several teams' in UTC.
        zone = rotas[0].zone if len(teams) == 1 and rotas else get_zone("UTC")
        at = read_at(options["at"], zone)
        problems = health.check(at, teams, timedelta(days=options["days"]))
        result = {"problems": [self._json(problem) for problem in problems]}
        emit(self, result, options["json"], self._lines(problems, zone))
        if problems:
            count = len(problems)
            raise CommandError(f"{count} {'problem' if count == 1 else 'problems'} found.", returncode=PROBLEMS_STATUS)

    def _json(self, problem) -> dict:
        member = problem.member
        return {
            "team": problem.team,
            "code": problem.code,
            "message": problem.message,
            "member": {"name": member.name, "email": member.email} if member else None,
            "start": iso(problem.start),
            "end": iso(problem.end),
        }

    def _lines(self, problems, zone) -> list[str]:
        if not problems:
            return ["No problems found."]
        lines = []
        for problem in problems:
            line = f"{problem.team}: {problem.message}"
            if problem.start:
                line += f" From {format_local(problem.start, zone)} to {format_local(problem.end, zone)}."
            lines.append(line)
        return lines
