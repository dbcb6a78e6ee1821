"""Who is on call: the rota's shifts with its overrides laid on top.

Overrides are applied oldest first, so where two overlap the newest wins.
An override only covers its own period: the rota's shifts either side of it
keep their times. The result is a list of segments in time order, each with
one member; a time with nobody on call has no segment.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from oohdesk.rota.shifts import RotaPlan

ROTA = "rota"
OVERRIDE = "override"

# The first window around a time; it doubles while a segment runs past its
# edge, up to MAX_WINDOW, so a long override is still returned whole.
FIRST_WINDOW = timedelta(days=16)
MAX_WINDOW = timedelta(days=16 * 1024)

# The longest range one question about segments may cover: a year and a day,
# so a whole year is always allowed.
MAX_RANGE = timedelta(days=366)


@dataclass(frozen=True)
class Segment:
    """``member`` is on call from ``start`` (inclusive) to ``end`` (exclusive), from the rota or an override."""

    member: Any
    start: datetime
    end: datetime
    source: str
    override_id: int | None = None

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def _lay_override(timeline: list[Segment], override) -> list[Segment]:
    """Return ``timeline`` with ``override`` covering its period and everything else left as it was."""
    start, end = override.starts_at, override.ends_at
    laid: list[Segment] = []
    for segment in timeline:
        if segment.end <= start or segment.start >= end:
            laid.append(segment)
            continue
        if segment.start < start:
            laid.append(Segment(segment.member, segment.start, start, segment.source, segment.override_id))
        if segment.end > end:
            laid.append(Segment(segment.member, end, segment.end, segment.source, segment.override_id))
    laid.append(Segment(override.member, start, end, OVERRIDE, override.id))
    laid.sort(key=lambda segment: segment.start)
    return laid


def _merge(segments: list[Segment]) -> list[Segment]:
    """Join touching override segments of one member, which come from overrides that meet or overlap."""
    merged: list[Segment] = []
    for segment in segments:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.source == OVERRIDE == segment.source
            and previous.member == segment.member
            and previous.end == segment.start
        ):
            merged[-1] = Segment(previous.member, previous.start, segment.end, OVERRIDE, previous.override_id)
        else:
            merged.append(segment)
    return merged


def _timeline(plan: RotaPlan, overrides, start: datetime, end: datetime) -> list[Segment]:
    timeline = [Segment(shift.member, shift.start, shift.end, ROTA) for shift in plan.shifts(start, end)]
    for override in overrides:
        if override.ends_at > start and override.starts_at < end:
            timeline = _lay_override(timeline, override)
    return _merge(timeline)


def resolve(plan: RotaPlan, overrides, start: datetime, end: datetime, clip: bool = True) -> list[Segment]:
    """Return the segments that overlap ``[start, end)``.

    ``overrides`` must be ordered oldest first. With ``clip`` the first and
    last segments are cut to the range, so their lengths add up to the time
    on call within it; without, they keep their whole extent.
    """
    if end <= start:
        return []
    window = FIRST_WINDOW
    while True:
        outer_start, outer_end = start - window, end + window
        timeline = _timeline(plan, overrides, outer_start, outer_end)
        inside = [segment for segment in timeline if segment.end > start and segment.start < end]
        reaches_edge = inside and (inside[0].start <= outer_start or inside[-1].end >= outer_end)
        if clip or not reaches_edge or window >= MAX_WINDOW:
            break
        window *= 2
    if clip:
        inside = [
            Segment(segment.member, max(segment.start, start), min(segment.end, end), segment.source, segment.override_id)
            for segment in inside
        ]
    return inside


def segment_at(plan: RotaPlan, overrides, at: datetime) -> Segment | None:
    """Return the whole segment in force at ``at``, or None when nobody is on call."""
    found = resolve(plan, overrides, at, at + timedelta(microseconds=1), clip=False)
    return found[0] if found else None


def next_segment(plan: RotaPlan, overrides, at: datetime, horizon: timedelta = timedelta(days=366)) -> Segment | None:
    """Return the first segment that starts after ``at`` within ``horizon``, or None."""
    current = segment_at(plan, overrides, at)
    after = current.end if current else at
    following = resolve(plan, overrides, after, after + horizon, clip=False)
    return next((segment for segment in following if segment.start >= after), None)


def range_problem(start: datetime, end: datetime) -> str | None:
    """Return why ``[start, end)`` cannot be asked about, or None when it is fine."""
    if end <= start:
        return "The end must be after the start."
    if end - start > MAX_RANGE:
        return f"The range is longer than {MAX_RANGE.days} days; ask about a shorter one."
    return None
