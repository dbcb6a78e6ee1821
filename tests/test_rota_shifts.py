from datetime import date, time, timedelta

from zoneinfo import ZoneInfo

from conftest import utc
from oohdesk.rota.shifts import RotaPlan

LONDON = ZoneInfo("Europe/London")


def plan(members=("alice", "bob", "charlie"), handover=time(9), start=date(2026, 1, 5)):
    return RotaPlan.weekly(LONDON, handover_weekday=0, handover_time=handover, start_date=start, members=members)


def test_before_start_nobody_on_call():
    assert plan().shift_at(utc(2026, 1, 5, 8, 59)) is None


def test_first_shift_starts_at_handover():
    shift = plan().shift_at(utc(2026, 1, 5, 9, 0))
    assert shift.member == "alice"
    assert shift.start == utc(2026, 1, 5, 9, 0)
    assert shift.end == utc(2026, 1, 12, 9, 0)


def test_start_date_midweek_waits_for_handover_day():
    shift = plan(start=date(2026, 1, 7)).shift_at(utc(2026, 1, 8, 12, 0))
    assert shift is None
    assert plan(start=date(2026, 1, 7)).shift_at(utc(2026, 1, 12, 9, 0)).member == "alice"


def test_members_rotate_weekly():
    names = [plan().shift_at(utc(2026, 1, 5, 12) + timedelta(weeks=week)).member for week in range(4)]
    assert names == ["alice", "bob", "charlie", "alice"]


def test_handover_stays_nine_across_spring_change():
    # Clocks go forward on Sunday 29 March 2026: Monday 30 March 09:00 BST is 08:00 UTC.
    before = plan().shift_at(utc(2026, 3, 30, 7, 59))
    after = plan().shift_at(utc(2026, 3, 30, 8, 0))
    assert before.end == utc(2026, 3, 30, 8, 0)
    assert after.start == utc(2026, 3, 30, 8, 0)
    assert before.member != after.member
    assert before.end - before.start == timedelta(hours=167)


def test_handover_stays_nine_across_autumn_change():
    # Clocks go back on Sunday 25 October 2026: Monday 26 October 09:00 GMT is 09:00 UTC.
    before = plan().shift_at(utc(2026, 10, 26, 8, 59))
    after = plan().shift_at(utc(2026, 10, 26, 9, 0))
    assert before.end == utc(2026, 10, 26, 9, 0)
    assert after.start == utc(2026, 10, 26, 9, 0)
    assert before.end - before.start == timedelta(hours=169)


def test_handover_in_skipped_hour_uses_offset_before_gap():
    # 01:30 on 29 March 2026 does not exist in London; GMT applies, so the handover is 01:30 UTC.
    sunday = RotaPlan.weekly(LONDON, 6, time(1, 30), date(2026, 1, 4), ["a", "b"])
    shift = sunday.shift_at(utc(2026, 3, 29, 1, 30))
    assert shift.start == utc(2026, 3, 29, 1, 30)
    assert sunday.shift_at(utc(2026, 3, 29, 1, 29)).end == utc(2026, 3, 29, 1, 30)


def test_handover_in_repeated_hour_uses_first_occurrence():
    # 01:30 on 25 October 2026 happens twice in London; the first is 00:30 UTC (BST).
    sunday = RotaPlan.weekly(LONDON, 6, time(1, 30), date(2026, 1, 4), ["a", "b"])
    assert sunday.shift_at(utc(2026, 10, 25, 0, 30)).start == utc(2026, 10, 25, 0, 30)


def test_next_shift_follows_current():
    current = plan().shift_at(utc(2026, 1, 6, 12))
    following = plan().next_shift(utc(2026, 1, 6, 12))
    assert following.start == current.end
    assert following.member == "bob"


def test_member_after_wraps():
    assert plan().member_after("charlie") == "alice"
    assert plan(members=["alice"]).member_after("alice") is None


def test_empty_rota_has_nobody():
    assert plan(members=[]).shift_at(utc(2026, 6, 1, 12)) is None
