"""Property tests of the rota over every IANA zone, start date, handover time and member list.

A non-empty rota has exactly one person on call at every instant from its
start, and its weeks add up to the elapsed time across clock changes. A
member change keeps who is on call at the moment of the change, unless it
removes that person. An override wins over its own period and nowhere else.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from oohdesk.rota.changes import epoch_positions
from oohdesk.rota.oncall import OVERRIDE, ROTA, resolve
from oohdesk.rota.shifts import Epoch, RotaPlan

ZONES = sorted(available_timezones())
POOL = ["ann", "ben", "cat", "dev", "eve", "fay"]

zones = st.sampled_from(ZONES).map(ZoneInfo)
start_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))
# Whole and half hours, so handovers often land inside the hour a clock change skips or repeats.
handover_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 30, 59]))
member_lists = st.lists(st.sampled_from(POOL), min_size=1, max_size=len(POOL), unique=True)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def plans(draw):
    plan = RotaPlan.weekly(
        draw(zones), draw(st.integers(0, 6)), draw(handover_times), draw(start_dates), draw(member_lists)
    )
    return plan


def offsets(max_days: int = 120):
    return st.integers(0, max_days * 24 * 3600 - 1).map(lambda seconds: timedelta(seconds=seconds))


def assert_tiles(segments, start: datetime, end: datetime) -> None:
    """Assert the segments cover [start, end) exactly once, in order, with no gap and no overlap."""
    assert segments, "nobody is on call at all"
    assert segments[0].start == start
    assert segments[-1].end == end
    for earlier, later in zip(segments, segments[1:]):
        assert earlier.end == later.start
    for segment in segments:
        assert segment.start < segment.end
    assert sum((segment.end - segment.start for segment in segments), timedelta()) == end - start


@PROPERTY_SETTINGS
@given(plans(), offsets(), offsets(60))
def test_one_person_at_every_instant(plan, offset, length):
    start = plan.starts_at + offset
    end = start + length + timedelta(seconds=1)
    segments = resolve(plan, [], start, end)
    assert_tiles(segments, start, end)
    for segment in segments:
        assert segment.source == ROTA
        assert plan.shift_at(segment.start).member == segment.member
        assert plan.shift_at(segment.end - timedelta(microseconds=1)).member == segment.member


@PROPERTY_SETTINGS
@given(plans(), offsets(400))
def test_weeks_add_up_across_clock_changes(plan, offset):
    shift = plan.shift_at(plan.starts_at + offset)
    epoch = plan.epochs[0]
    zone = epoch.schedule.zone
    local_start = shift.start.astimezone(zone)
    # Each week is seven calendar days of the rota's zone: 168 hours plus the clock changes in it.
    expected = datetime.combine(local_start.date() + timedelta(days=7), epoch.schedule.handover_time, tzinfo=zone)
    assert shift.end == expected.astimezone(timezone.utc)
    assert timedelta(days=6) < shift.end - shift.start < timedelta(days=8)
    assert plan.shift_at(shift.end).start == shift.end
    assert plan.shift_at(shift.start - timedelta(microseconds=1)) is None or plan.shift_at(shift.start - timedelta(microseconds=1)).end == shift.start


@PROPERTY_SETTINGS
@given(plans(), offsets(400))
def test_members_take_turns(plan, offset):
    members = plan.members
    shift = plan.shift_at(plan.starts_at + offset)
    following = plan.shift_at(shift.end)
    assert following.member == members[(members.index(shift.member) + 1) % len(members)]


@dataclass(frozen=True)
class FakeOverride:
    id: int
    member: str
    starts_at: datetime
    ends_at: datetime


@st.composite
def overrides_for(draw, plan):
    found = []
    for index in range(draw(st.integers(0, 5))):
        start = plan.starts_at + draw(offsets(40))
        length = timedelta(minutes=draw(st.integers(1, 20 * 24 * 60)))
        found.append(FakeOverride(index, draw(st.sampled_from(POOL)), start, start + length))
    return found


@PROPERTY_SETTINGS
@given(st.data())
def test_newest_override_wins(data):
    plan = data.draw(plans())
    overrides = data.draw(overrides_for(plan))
    start = plan.starts_at
    end = start + timedelta(days=45)
    segments = resolve(plan, overrides, start, end)
    assert_tiles(segments, start, end)
    for _ in range(20):
        at = start + data.draw(offsets(45))
        [segment] = [segment for segment in segments if segment.start <= at < segment.end]
        covering = [override for override in overrides if override.starts_at <= at < override.ends_at]
        if covering:
            assert segment.source == OVERRIDE
            assert segment.member == covering[-1].member
        else:
            assert segment.source == ROTA
            assert segment.member == plan.shift_at(at).member


@st.composite
def changed_plans(draw):
    """A plan and the plans after each of a few member changes, with the times of the changes."""
    plan = draw(plans())
    history = [plan]
    times = []
    at = plan.starts_at
    for _ in range(draw(st.integers(1, 4))):
        at = at + draw(offsets(30)) + timedelta(seconds=1)
        members = draw(member_lists)
        schedule = plan.epochs[-1].schedule
        if draw(st.booleans()):
            schedule = type(schedule)(schedule.zone, draw(st.integers(0, 6)), draw(handover_times))
        current, following = epoch_positions(plan, members, at)
        plan = RotaPlan(plan.epochs + (Epoch(at, schedule, tuple(members), current, following),))
        history.append(plan)
        times.append(at)
    return history, times


@PROPERTY_SETTINGS
@given(changed_plans(), st.data())
def test_changes_keep_who_is_on_call(changes, data):
    history, times = changes
    for before, after, at in zip(history, history[1:], times):
        holder = before.shift_at(at).member
        now = after.shift_at(at).member
        if holder in after.members:
            assert now == holder
        else:
            old_order = list(before.order_at(at))
            index = old_order.index(holder)
            stays = [old_order[(index + step) % len(old_order)] for step in range(1, len(old_order))]
            stays = [member for member in stays if member in after.members]
            assert now == (stays[0] if stays else after.members[0])
        # The past never changes.
        for _ in range(5):
            past = before.starts_at + data.draw(st.integers(0, int((at - before.starts_at).total_seconds()) - 1).map(lambda s: timedelta(seconds=s)))
            assume(past < at)
            assert after.shift_at(past).member == before.shift_at(past).member
    final = history[-1]
    end = times[-1] + timedelta(days=30)
    assert_tiles(resolve(final, [], final.starts_at, end), final.starts_at, end)


@PROPERTY_SETTINGS
@given(changed_plans())
def test_next_week_member_kept_when_they_stay(changes):
    history, times = changes
    for before, after, at in zip(history, history[1:], times):
        if after.epochs[-1].schedule != before.epoch_at(at).schedule:
            continue
        holder_shift = before.shift_at(at)
        coming = before.shift_at(holder_shift.end).member
        if coming in after.members and before.shift_at(at).member in after.members:
            assert after.shift_at(holder_shift.end).member == coming
