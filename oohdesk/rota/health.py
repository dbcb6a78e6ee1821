"""Health checks of the rotas: problems that would leave a page with nobody to reach.

The same checks feed the web UI, ``oohdesk rota check`` and the API. Each
problem names its team and, where it has one, the member or the period.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from oohdesk.paging.channels import CHANNELS
from oohdesk.paging.models import EscalationStep
from oohdesk.rota.models import Member, Rota, Team

DEFAULT_HORIZON = timedelta(days=28)

PROBLEM_CODES = {
    "no_rota": "the team has no rota but its policy pages the member on call",
    "empty_rota": "a rota that the policy uses has no members",
    "gap": "nobody is on call between start and end",
    "no_contact_method": "a member has no contact method that can page them",
    "no_dnd_bypass": "a member has no contact method that gets past Do Not Disturb",
    "no_backup": "the policy pages the next member in the rota, but there is nobody else",
    "no_lead": "the policy pages the team lead, but the team has none",
}


@dataclass(frozen=True)
class Problem:
    """One health problem. ``code`` is stable for scripts; ``message`` is for people."""

    team: str
    code: str
    message: str
    member: Member | None = None
    start: datetime | None = None
    end: datetime | None = None


def can_page(method) -> bool:
    """Return whether a contact method has a channel that can deliver a page."""
    return method.kind in CHANNELS


def gets_past_dnd(method) -> bool:
    channel = CHANNELS.get(method.kind)
    return channel is not None and channel.bypasses_dnd and can_page(method)


def contact_problems(team: Team, member: Member, where: str) -> list[Problem]:
    methods = list(member.contact_methods.all())
    if not any(can_page(method) for method in methods):
        return [Problem(team.slug, "no_contact_method", f"{member.name} ({where}) has no contact method that can page them.", member)]
    if not any(gets_past_dnd(method) for method in methods):
        message = f"{member.name} ({where}) has no contact method that gets past Do Not Disturb, so a page at night may not wake them."
        return [Problem(team.slug, "no_dnd_bypass", message, member)]
    return []


def gaps(rota: Rota, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Return the periods in ``[start, end)`` when nobody is on call on ``rota``."""
    found, at = [], start
    for segment in rota.segments(start, end):
        if segment.start > at:
            found.append((at, segment.start))
        at = max(at, segment.end)
    if at < end:
        found.append((at, end))
    return found


def _targets(team: Team) -> set[str]:
    return set(team.escalation_policy.steps.values_list("target", flat=True))


def _rota_problems(team: Team, rota: Rota | None, label: str, used: bool, start: datetime, end: datetime) -> list[Problem]:
    if rota is None:
        if used:
            return [Problem(team.slug, "no_rota", f"{team.name} has no {label}, but its escalation policy pages the member on call.")]
        return []
    problems = []
    members = rota.current_members()
    if not members and used:
        problems.append(Problem(team.slug, "empty_rota", f"The {rota} has no members, but the escalation policy {team.escalation_policy} uses it."))
    if members or used:
        for gap_start, gap_end in gaps(rota, start, end):
            problems.append(Problem(team.slug, "gap", f"Nobody is on call on the {rota}.", start=gap_start, end=gap_end))
    seen = set()
    for member in members:
        seen.add(member.id)
        problems += contact_problems(team, member, f"on the {rota}")
    for segment in rota.segments(start, end):
        if segment.member.id not in seen:
            seen.add(segment.member.id)
            problems += contact_problems(team, segment.member, f"covering an override on the {rota}")
    return problems


def team_problems(team: Team, at: datetime, horizon: timedelta = DEFAULT_HORIZON) -> list[Problem]:
    """Return the problems of one team's rotas from ``at`` to ``at + horizon``."""
    targets = _targets(team)
    rota = getattr(team, "rota", None)
    backup_rota = getattr(team, "backup_rota", None)
    end = at + horizon
    problems = _rota_problems(team, rota, "rota", EscalationStep.Target.ON_CALL in targets, at, end)
    uses_backup = EscalationStep.Target.NEXT_IN_ROTA in targets
    if backup_rota is not None:
        problems += _rota_problems(team, backup_rota, "backup rota", uses_backup, at, end)
    elif uses_backup and rota is not None and len(rota.current_members()) == 1:
        message = (
            f"The {rota} has one member and {team.name} has no backup rota, so the escalation step "
            "for the next member in the rota has nobody to page."
        )
        problems.append(Problem(team.slug, "no_backup", message))
    if EscalationStep.Target.TEAM_LEAD in targets and team.lead is None:
        problems.append(Problem(team.slug, "no_lead", f"{team.name} has no team lead, but its escalation policy pages the team lead."))
    return problems


def check(at: datetime, teams=None, horizon: timedelta = DEFAULT_HORIZON) -> list[Problem]:
    """Return the problems of every team (or of ``teams``), team by team."""
    teams = teams if teams is not None else Team.objects.select_related("escalation_policy", "lead").order_by("slug")
    problems = []
    for team in teams:
        problems += team_problems(team, at, horizon)
    return problems
