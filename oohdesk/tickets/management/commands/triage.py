from django.core.management.base import BaseCommand

from oohdesk.commandline import emit, iso, pick_team, read_at
from oohdesk.paging.targets import response_due_at
from oohdesk.tickets.triage import decide, priority_for
from oohdesk.zones import format_local


class Command(BaseCommand):
    help = "Show the priority two answers give and what would happen to such a report at a time."

    def add_arguments(self, parser):
        parser.add_argument("--q1", required=True, choices=["yes", "no"], help="Site down, payments failing or key functionality failing?")
        parser.add_argument("--q2", required=True, choices=["yes", "no"], help="Affects 50% or more of users?")
        parser.add_argument("--team", help="Team slug; may be left out when there is one team.")
        parser.add_argument("--at", help="ISO 8601 time; without an offset it is read in the team calendar's zone.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        team = pick_team(options["team"])
        zone = team.calendar.zone
        at = read_at(options["at"], zone)
        hours = team.calendar.working_hours()
        decision = decide(priority_for(options["q1"] == "yes", options["q2"] == "yes"), hours, at)
        member = team.on_call_at(at) if decision.pages else None
        respond_by = response_due_at(team.escalation_policy, decision.priority, hours, at)
        result = {
            "priority": str(decision.priority),
            "pages": decision.pages,
            "out_of_hours": decision.out_of_hours,
            "on_call": member.name if member else None,
            "release_at": iso(decision.release_at),
            "respond_by": iso(respond_by),
        }
        lines = self._describe(decision, member, zone)
        if respond_by:
            lines.append(f"A response is due by {format_local(respond_by, zone)}.")
        emit(self, result, options["json"], lines)

    def _describe(self, decision, member, zone) -> list[str]:
        lines = [f"Priority: {decision.priority.label}."]
        if decision.pages:
            lines.append(f"Pages {member.name if member else 'nobody: no one is on call'} now.")
        elif decision.release_at:
            lines.append(f"Held until {format_local(decision.release_at, zone)}; nobody is paged.")
        else:
            lines.append("Goes to the working queue now; nobody is paged.")
        return lines
