"""Notices: normal-priority messages to staff that are not pages.

A notice never bypasses Do Not Disturb and never reaches someone outside
their working hours: one raised out of hours waits until their hours next
begin. A member with no calendar at all (no own calendar, on no team) gets
it at once, because there are no hours to wait for.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from oohdesk.paging.models import NotificationAttempt
from oohdesk.paging.wakeup import wake_after_commit
from oohdesk.rota.models import Member, Team

logger = logging.getLogger(__name__)


def notice_due_at(member: Member, at: datetime) -> datetime:
    """Return when a notice raised at ``at`` may reach ``member``: now if in their hours, else their next opening."""
    calendar = member.working_calendar()
    if calendar is None:
        return at
    hours = calendar.working_hours()
    if hours.is_open(at):
        return at
    return hours.next_opening(at) or at


def queue_notice(member: Member, title: str, body: str, at: datetime) -> list[NotificationAttempt]:
    """Queue a notice to each of the member's contact methods; return the saved attempts."""
    due_at = notice_due_at(member, at)
    with transaction.atomic():
        attempts = [
            NotificationAttempt.objects.create(
                member=member,
                contact_method=method,
                purpose=NotificationAttempt.Purpose.NOTICE,
                channel=method.kind,
                destination=method.address,
                title=title[:200],
                body=body,
                due_at=due_at,
                created_at=at,
            )
            for method in member.contact_methods.all()
            if _may_carry_notice(method)
        ]
        wake_after_commit()
    if not attempts:
        logger.warning("notice not queued: no contact method member=%s", member.id)
    return attempts


def team_members(team: Team) -> list[Member]:
    """Return the members of the team's rota in rota order, then its lead, each once."""
    rota = getattr(team, "rota", None)
    members = [row.member for row in rota.memberships.select_related("member").order_by("position")] if rota else []
    if team.lead is not None and team.lead not in members:
        members.append(team.lead)
    return members


def queue_team_notice(
    team: Team, title: str, body_for: Callable[[Member], str], at: datetime
) -> list[NotificationAttempt]:
    """Queue a notice to every member of ``team`` (see team_members), worded for each by ``body_for``."""
    attempts = []
    for member in team_members(team):
        attempts += queue_notice(member, title, body_for(member), at)
    return attempts


def queue_ticket_notice(ticket, title: str, body_for: Callable[[Member], str], at: datetime) -> list[NotificationAttempt]:
    """Queue a notice about ``ticket`` to its team, or only to the drill's chosen person for a drill ticket."""
    if not ticket.is_drill:
        return queue_team_notice(ticket.team, title, body_for, at)
    if ticket.drill is None:
        return []
    member = ticket.drill.member
    return queue_notice(member, f"DRILL {title}", body_for(member), at)


def _may_carry_notice(method) -> bool:
    """Return whether a notice may go to ``method``: usable, and of a kind meant for more than pages."""
    from oohdesk.paging.channels import CHANNELS

    channel = CHANNELS.get(method.kind)
    return method.is_usable and (channel is None or channel.carries_notices)
