"""Who the rota puts on call: weekly shifts computed in the rota's wall-clock time.

A shift runs from one handover to the next. Handovers are found by calendar
date in the rota's zone, never by adding multiples of 168 hours to a UTC
start. So a Monday 09:00 handover stays at 09:00 local time through both
clock changes, and a week that contains one is 167 or 169 hours long.

A rota is a sequence of epochs. The first starts at the first handover; each
change to the members or the handover settings starts a new one at the moment
of the change, so the weeks before it keep the members they had. An epoch
says who finishes the week in progress when it starts (``current_position``)
and who takes the first whole week after it (``next_position``); the weeks
after that follow the epoch's order. docs/rota.md explains how a change picks
those two positions.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from oohdesk.zones import local_to_utc

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Shift:
    """Part of the rota: ``member`` is on call from ``start`` (inclusive) to ``end`` (exclusive)."""

    member: Any
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Schedule:
    """A weekly handover: a weekday (0 is Monday) and a wall-clock time in ``zone``."""

    zone: ZoneInfo
    handover_weekday: int
    handover_time: time

    def handover_at(self, day: date) -> datetime:
        """Return the UTC instant of the handover on ``day`` (fold=0 rule for skipped and repeated times)."""
        return local_to_utc(day, self.handover_time, self.zone)

    def handover_day_on_or_before(self, at: datetime) -> date:
        """Return the local date of the last handover at or before the instant ``at``."""
        local_day = at.astimezone(self.zone).date()
        day = local_day - timedelta(days=(local_day.weekday() - self.handover_weekday) % 7)
        if self.handover_at(day) > at:
            day -= WEEK
        return day

    def first_handover_day(self, start_date: date) -> date:
        """Return the first handover date on or after ``start_date``."""
        return start_date + timedelta(days=(self.handover_weekday - start_date.weekday()) % 7)


@dataclass(frozen=True)
class Epoch:
    """The rota from ``starts_at`` until the next epoch starts.

    ``members`` is the order. From ``starts_at`` to the first handover after
    it, ``members[current_position]`` is on call (nobody when the order is
    empty). The week from that handover is ``members[next_position]``'s, and
    each later week goes to the next member in the order, wrapping round.
    """

    starts_at: datetime
    schedule: Schedule
    members: tuple
    current_position: int
    next_position: int

    def first_handover_day(self) -> date:
        return self.schedule.handover_day_on_or_before(self.starts_at) + WEEK

    def shift_at(self, at: datetime) -> Shift | None:
        """Return the part of a shift in this epoch that contains ``at`` (``at`` must not be before ``starts_at``)."""
        if not self.members:
            return None
        first_day = self.first_handover_day()
        first_handover = self.schedule.handover_at(first_day)
        if at < first_handover:
            return Shift(self.members[self.current_position], self.starts_at, first_handover)
        day = self.schedule.handover_day_on_or_before(at)
        weeks = (day - first_day).days // 7
        member = self.members[(self.next_position + weeks) % len(self.members)]
        return Shift(member, self.schedule.handover_at(day), self.schedule.handover_at(day + WEEK))


@dataclass(frozen=True)
class RotaPlan:
    """A rota's epochs in order of ``starts_at``; nobody is on call before the first starts."""

    epochs: tuple[Epoch, ...]

    @classmethod
    def weekly(cls, zone: ZoneInfo, handover_weekday: int, handover_time: time, start_date: date, members) -> "RotaPlan":
        """Return the plan of a rota that never changed: the members in turn from the first handover on or after ``start_date``."""
        schedule = Schedule(zone, handover_weekday, handover_time)
        starts_at = schedule.handover_at(schedule.first_handover_day(start_date))
        members = tuple(members)
        next_position = 1 % len(members) if members else 0
        return cls((Epoch(starts_at, schedule, members, 0, next_position),))

    @property
    def members(self) -> tuple:
        """Return the order in force after the last change."""
        return self.epochs[-1].members if self.epochs else ()

    @property
    def starts_at(self) -> datetime | None:
        return self.epochs[0].starts_at if self.epochs else None

    def _epoch_index(self, at: datetime) -> int | None:
        index = None
        for position, epoch in enumerate(self.epochs):
            if epoch.starts_at > at:
                break
            index = position
        return index

    def epoch_at(self, at: datetime) -> Epoch | None:
        index = self._epoch_index(at)
        return None if index is None else self.epochs[index]

    def order_at(self, at: datetime) -> tuple:
        """Return the member order in force at ``at`` (the first order before the rota starts)."""
        epoch = self.epoch_at(at)
        if epoch is None:
            return self.epochs[0].members if self.epochs else ()
        return epoch.members

    def _piece_at(self, at: datetime) -> tuple[Shift, bool] | None:
        """Return the shift containing ``at`` cut at the epoch boundaries either side, and whether its end was cut.

        Returns None when nobody is on call at ``at``.
        """
        index = self._epoch_index(at)
        if index is None:
            return None
        piece = self.epochs[index].shift_at(at)
        if piece is None:
            return None
        start = max(piece.start, self.epochs[index].starts_at)
        end = piece.end
        if index + 1 < len(self.epochs):
            end = min(end, self.epochs[index + 1].starts_at)
        return Shift(piece.member, start, end), end < piece.end

    def shift_at(self, at: datetime) -> Shift | None:
        """Return the shift in force at the aware instant ``at``, or None when nobody is on call.

        A shift that a change cut in two, because its member carried on after
        the change, is returned whole.
        """
        found = self._piece_at(at)
        if found is None:
            return None
        piece, cut = found
        start, end = piece.start, piece.end
        while self._is_epoch_start(start):
            earlier = self._piece_at(start - timedelta(microseconds=1))
            if earlier is None or not earlier[1] or earlier[0].member != piece.member:
                break
            start = earlier[0].start
        while cut:
            later = self._piece_at(end)
            if later is None or later[0].member != piece.member:
                break
            end, cut = later[0].end, later[1]
        return Shift(piece.member, start, end)

    def _is_epoch_start(self, at: datetime) -> bool:
        return any(epoch.starts_at == at for epoch in self.epochs[1:])

    def shifts(self, start: datetime, end: datetime) -> list[Shift]:
        """Return the whole shifts that overlap ``[start, end)`` in order, not cut to the range."""
        shifts: list[Shift] = []
        at = start
        while at < end:
            shift = self.shift_at(at)
            if shift is not None:
                shifts.append(shift)
                at = shift.end
                continue
            following = self._next_start(at)
            if following is None:
                break
            at = following
        return shifts

    def _next_start(self, at: datetime) -> datetime | None:
        """Return the first instant after ``at`` at which somebody may go on call (an epoch start)."""
        return next((epoch.starts_at for epoch in self.epochs if epoch.starts_at > at), None)

    def next_shift(self, at: datetime) -> Shift | None:
        """Return the shift that follows the one in force at ``at`` (or the first one, when nobody is on call)."""
        current = self.shift_at(at)
        if current is not None:
            return self.shift_at(current.end)
        following = self._next_start(at)
        while following is not None:
            shift = self.shift_at(following)
            if shift is not None:
                return shift
            following = self._next_start(following)
        return None

    def member_after(self, member, at: datetime | None = None) -> Any | None:
        """Return the member after ``member`` in the order in force at ``at``, or None if nobody else is on it."""
        order = self.order_at(at) if at is not None else self.members
        if member not in order or len(order) < 2:
            return None
        return order[(order.index(member) + 1) % len(order)]
