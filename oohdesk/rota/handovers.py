"""Handover notices: telling the outgoing and incoming members before the on-call person changes.

The paging engine calls ``queue_handover_notices`` on its loop. A handover
is any moment the member on call changes, an override's start or end
included. Each rota chooses when its notices go: at the start of each
member's last working day before the handover (the default), a set time
before it, or never. The notices are normal priority and go through
``queue_notice``, so one that falls out of the member's working hours waits
for them. A HandoverNotice row, unique per rota, handover, member and role,
is written in the same transaction as the notice, so two engines never
queue the same one twice.
"""

import logging
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction

from oohdesk.rota.models import HandoverNotice, HandoverNoticeMode, Member, Rota
from oohdesk.rota.oncall import Segment
from oohdesk.zones import format_local, local_to_utc

logger = logging.getLogger(__name__)

# How far ahead to look for handovers. Longer than any gap between a
# handover and the working day before it (a long holiday weekend).
HORIZON = timedelta(days=14)
FALLBACK_LEAD = timedelta(days=1)


def working_day_before(member: Member, handover_at: datetime) -> datetime:
    """Return the start of ``member``'s last working day before the date of ``handover_at``.

    Falls back to a day before the handover when the member has no calendar
    or no working day in the fortnight before it.
    """
    calendar = member.working_calendar()
    if calendar is None:
        return handover_at - FALLBACK_LEAD
    hours, zone = calendar.working_hours(), calendar.zone
    handover_day = handover_at.astimezone(zone).date()
    for days_back in range(1, HORIZON.days + 1):
        day = handover_day - timedelta(days=days_back)
        day_start = local_to_utc(day, time(0), zone)
        if hours.is_open(day_start):
            return day_start
        opening = hours.next_opening(day_start)
        if opening is not None and opening.astimezone(zone).date() == day and opening < handover_at:
            return opening
    return handover_at - FALLBACK_LEAD


def notice_time(rota: Rota, member: Member, handover_at: datetime) -> datetime | None:
    """Return when ``member``'s notice of the handover at ``handover_at`` is due, or None when the rota sends none."""
    if rota.handover_notice == HandoverNoticeMode.OFF:
        return None
    if rota.handover_notice == HandoverNoticeMode.BEFORE:
        return handover_at - timedelta(seconds=rota.handover_notice_seconds)
    return working_day_before(member, handover_at)


def handovers(rota: Rota, at: datetime) -> list[tuple[Segment | None, Segment]]:
    """Return (outgoing, incoming) for each change of the member on call after ``at`` within HORIZON."""
    segments = rota.segments(at, at + HORIZON, clip=False)
    found = []
    for index, segment in enumerate(segments):
        if segment.start <= at:
            continue
        previous = segments[index - 1] if index else None
        if previous is not None and previous.end != segment.start:
            previous = None
        if previous is not None and previous.member == segment.member:
            continue
        found.append((previous, segment))
    return found


def incoming_text(rota: Rota, outgoing: Segment | None, incoming: Segment) -> tuple[str, str]:
    member, zone = incoming.member, incoming.member.zone
    team = rota.owner.name
    title = f"You are on call for {team} from {format_local(incoming.start, zone)}"
    body = f"You take over on call for {team} at {format_local(incoming.start, zone)} until {format_local(incoming.end, zone)}"
    body += f", from {outgoing.member.name}." if outgoing else "."
    body += " Before then, send yourself a test page to check that your phone lets pages through Do Not Disturb."
    return title, body


def outgoing_text(rota: Rota, outgoing: Segment, incoming: Segment) -> tuple[str, str]:
    zone = outgoing.member.zone
    team = rota.owner.name
    title = f"Your on-call shift for {team} ends at {format_local(incoming.start, zone)}"
    body = (
        f"You hand over on call for {team} to {incoming.member.name} at {format_local(incoming.start, zone)}. "
        "Tell them about anything still open."
    )
    return title, body


def _queue_once(rota: Rota, handover_at: datetime, member: Member, role: str, text: tuple[str, str], at: datetime) -> bool:
    from oohdesk.paging.notices import queue_notice

    try:
        with transaction.atomic():
            HandoverNotice.objects.create(rota=rota, handover_at=handover_at, member=member, role=role, queued_at=at)
            queue_notice(member, text[0], text[1], at)
    except IntegrityError:
        return False
    logger.info("handover notice queued rota=%s member=%s role=%s", rota.id, member.id, role)
    return True


def queue_handover_notices(at: datetime) -> int:
    """Queue every handover notice that is due by ``at`` and not queued yet; return how many were queued."""
    queued = 0
    rotas = Rota.objects.exclude(handover_notice=HandoverNoticeMode.OFF).select_related("team", "backup_for")
    for rota in rotas:
        for outgoing, incoming in handovers(rota, at):
            due = notice_time(rota, incoming.member, incoming.start)
            if due is not None and due <= at:
                text = incoming_text(rota, outgoing, incoming)
                queued += _queue_once(rota, incoming.start, incoming.member, HandoverNotice.Role.INCOMING, text, at)
            if outgoing is None:
                continue
            due = notice_time(rota, outgoing.member, incoming.start)
            if due is not None and due <= at:
                text = outgoing_text(rota, outgoing, incoming)
                queued += _queue_once(rota, incoming.start, outgoing.member, HandoverNotice.Role.OUTGOING, text, at)
    return queued
