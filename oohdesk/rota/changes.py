"""Changing a running rota: its members, their order and its handover settings.

A change never rewrites the past or who is on call now, with one exception:
removing the member on call now hands over at once. Each change to a rota
that has started records an epoch (see shifts.py) from the moment of the
change, choosing who finishes the week in progress and who takes the next
week as docs/rota.md describes. A rota that has not started yet, or whose
start date changes, has no past to keep, so its epochs are dropped and it
runs from its start date again.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction

from oohdesk.paging.wakeup import wake_after_commit
from oohdesk.rota.models import Member, Rota, RotaEpoch, RotaEpochMember, RotaLogEntry, RotaMembership
from oohdesk.rota.oncall import ROTA
from oohdesk.rota.shifts import RotaPlan
from oohdesk.zones import format_local

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    time_zone: str
    handover_weekday: int
    handover_time: time
    start_date: date

    @classmethod
    def of(cls, rota: Rota) -> "Settings":
        return cls(rota.time_zone, rota.handover_weekday, rota.handover_time, rota.start_date)


@dataclass
class ChangeResult:
    """The outcome of a change; ``handed_over`` is (from, to) when the member on call at the change moved on at once."""

    changed: bool = False
    handed_over: tuple[Member | None, Member | None] | None = None
    moved_pages: list = field(default_factory=list)


def log(rota: Rota, at: datetime, actor: str, message: str) -> RotaLogEntry:
    return RotaLogEntry.objects.create(rota=rota, at=at, actor=actor[:200], message=message[:1000])


def successor(member, old_order, new_order):
    """Return the first member after ``member`` in ``old_order`` (wrapping round) who is in ``new_order``.

    Falls back to the first of ``new_order`` when none of the old order stays.
    """
    if member in old_order:
        index = old_order.index(member)
        for step in range(1, len(old_order) + 1):
            candidate = old_order[(index + step) % len(old_order)]
            if candidate in new_order:
                return candidate
    return new_order[0]


def epoch_positions(old_plan: RotaPlan, new_order: list, at: datetime) -> tuple[int, int]:
    """Return (current_position, next_position) in ``new_order`` for an epoch starting at ``at``.

    The member on call at ``at`` finishes the week if they stay; if they are
    removed, the member after them takes over at once. The member due to
    take the next week still takes it if they stay, else the member after them.
    """
    if not new_order:
        return 0, 0
    holder_shift = old_plan.shift_at(at)
    if holder_shift is None:
        return 0, 1 % len(new_order)
    old_order = list(old_plan.order_at(at))
    holder = holder_shift.member
    following_shift = old_plan.shift_at(holder_shift.end)
    following = following_shift.member if following_shift else holder
    current = holder if holder in new_order else successor(holder, old_order, new_order)
    upcoming = following if following in new_order else successor(following, old_order, new_order)
    return new_order.index(current), new_order.index(upcoming)


def store_order(rota: Rota, members: list[Member]) -> None:
    """Make the rota's current order ``members``; members who stay keep their membership row."""
    rows = list(rota.memberships.order_by("position"))
    wanted_ids = [member.id for member in members]
    remaining = {row.member_id: row for row in rows if row.member_id in wanted_ids}
    rota.memberships.exclude(id__in=[row.id for row in remaining.values()]).delete()
    # Park the remaining rows above every position in use, so that moving each to its
    # final position never breaks the unique (rota, position) constraint.
    parking = max((row.position for row in rows), default=0) + len(members) + 1
    for offset, row in enumerate(remaining.values()):
        RotaMembership.objects.filter(id=row.id).update(position=parking + offset)
    for position, member in enumerate(members):
        if member.id in remaining:
            RotaMembership.objects.filter(id=remaining[member.id].id).update(position=position)
        else:
            RotaMembership.objects.create(rota=rota, member=member, position=position)


def _save_epoch(rota: Rota, starts_at: datetime, settings: Settings, members, positions, at: datetime) -> None:
    epoch = RotaEpoch.objects.create(
        rota=rota,
        starts_at=starts_at,
        time_zone=settings.time_zone,
        handover_weekday=settings.handover_weekday,
        handover_time=settings.handover_time,
        current_position=positions[0],
        next_position=positions[1],
        created_at=at,
    )
    RotaEpochMember.objects.bulk_create(
        RotaEpochMember(epoch=epoch, member=member, position=position) for position, member in enumerate(members)
    )


def _keep_history(rota: Rota, old_plan: RotaPlan, at: datetime) -> None:
    """Store the plan's first epoch when the rota has none yet, so the weeks before ``at`` keep their members."""
    if rota.epochs.exists():
        return
    first = old_plan.epochs[0]
    schedule = first.schedule
    settings = Settings(schedule.zone.key, schedule.handover_weekday, schedule.handover_time, rota.start_date)
    _save_epoch(rota, first.starts_at, settings, first.members, (first.current_position, first.next_position), at)


def _save_settings(rota: Rota, settings: Settings) -> None:
    rota.time_zone = settings.time_zone
    rota.handover_weekday = settings.handover_weekday
    rota.handover_time = settings.handover_time
    rota.start_date = settings.start_date
    rota.save(update_fields=["time_zone", "handover_weekday", "handover_time", "start_date"])


def change_rota(
    rota: Rota,
    at: datetime,
    actor: str,
    members: list[Member] | None = None,
    settings: Settings | None = None,
) -> ChangeResult:
    """Change the rota's member order and settings from ``at`` on; ``None`` keeps the stored value.

    Removing the member on call at ``at`` hands over to the next member at
    once and moves the current escalation step of each unacknowledged page
    that was paging them. Everything happens in one transaction.
    """
    given = rota
    with transaction.atomic():
        rota = Rota.objects.select_for_update(of=("self",)).select_related("team", "backup_for").get(pk=rota.pk)
        old_members = rota.current_members()
        old_settings = Settings.of(rota)
        members = old_members if members is None else list(members)
        settings = settings or old_settings
        if members == old_members and settings == old_settings:
            return ChangeResult()

        old_plan = rota.plan()
        before = rota.segment_at(at)
        restart = settings.start_date != old_settings.start_date or old_plan.starts_at is None or at < old_plan.starts_at
        if restart:
            rota.epochs.all().delete()
        else:
            _keep_history(rota, old_plan, at)
            rota.epochs.filter(starts_at__gte=at).delete()
            positions = epoch_positions(old_plan, members, at)
            _save_epoch(rota, at, settings, members, positions, at)
        _save_settings(rota, settings)
        store_order(rota, members)

        result = ChangeResult(changed=True)
        _describe(rota, at, actor, old_members, members, old_settings, settings, restart)
        after = rota.segment_at(at)
        before_member = before.member if before else None
        after_member = after.member if after else None
        removed_holder = before is not None and before.source == ROTA and before_member not in members
        if removed_holder and before_member != after_member:
            result.handed_over = (before_member, after_member)
            result.moved_pages = _hand_over(rota, at, actor, before_member, after_member)
    # The caller's instance, often cached on its team, must not keep the old settings.
    given.refresh_from_db()
    return result


def _describe(rota, at, actor, old_members, members, old_settings, settings, restart) -> None:
    if members != old_members:
        names = ", ".join(member.name for member in members) or "nobody"
        log(rota, at, actor, f"Members changed to: {names}.")
    if settings != old_settings:
        schedule = rota.schedule()
        first = schedule.handover_at(schedule.first_handover_day(settings.start_date))
        message = (
            f"Handover changed to {rota.get_handover_weekday_display()} {settings.handover_time:%H:%M} "
            f"({settings.time_zone}), start date {settings.start_date.isoformat()}."
        )
        if restart and old_settings.start_date != settings.start_date:
            message += f" The rota starts again with its first member at {format_local(first, rota.zone)}."
        log(rota, at, actor, message)




def _hand_over(rota: Rota, at: datetime, actor: str, leaving: Member, taking_over: Member | None) -> list:
    """Record the immediate handover, tell the new member and move the pages that were paging ``leaving``."""
    from oohdesk.paging.escalation import move_step_from
    from oohdesk.paging.models import Page
    from oohdesk.paging.notices import queue_notice

    team = rota.owner
    who = taking_over.name if taking_over else "nobody"
    log(rota, at, actor, f"{leaving.name} was on call and left the rota, so {who} took over at once.")
    # Logged on commit only, so a preview that rolls back leaves no trace.
    taking_over_id = taking_over.id if taking_over else None
    transaction.on_commit(lambda: logger.info("rota handed over at once rota=%s from=%s to=%s", rota.id, leaving.id, taking_over_id))
    wake_after_commit()
    moved = []
    pages = Page.objects.filter(team=team, status=Page.Status.TRIGGERED, step_due_at__isnull=False)
    for page in pages.select_related("ticket", "team", "policy"):
        if move_step_from(page, leaving, at, f"{leaving.name} left the {rota}"):
            moved.append(page)
    if taking_over is not None:
        segment = rota.segment_at(at)
        until = format_local(segment.end, taking_over.zone) if segment else "the next handover"
        body = (
            f"{leaving.name} has left the {rota}, so you are on call now, until {until}."
            + (f" {_pages(len(moved))} moved to you." if moved else "")
        )
        queue_notice(taking_over, f"You are on call now for {team.name}", body, at)
    return moved


def _pages(count: int) -> str:
    return f"{count} unacknowledged {'page' if count == 1 else 'pages'}"
