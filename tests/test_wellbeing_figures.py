"""The well-being figures against a seeded month, worked out by hand.

Five London weeks, Monday 2 March to Sunday 5 April 2026. The UK clocks go
forward on Sunday 29 March (01:00 UTC). The US clocks went forward on Sunday
8 March, so Bob, who lives in New York, is UTC-5 for the first week and
UTC-4 after. Alice and Charlie live in London. The rota hands over on Monday
at 09:00 London time: Alice has the weeks of 2, 16 and 30 March, Bob those of
9 and 23 March. The policy pages the on-call developer, then the next one in
the rota, then Charlie (the team lead), waiting 5 minutes on a P1 and 15
minutes on a P2. Every time below is UTC.

| # | opened | priority, organisation | who was paged (local time) | acknowledged |
| 1 | Tue 3 Mar 14:00 | P2 Acme | Alice 14:00 (in hours) | Alice 14:02 (120 s) |
| 2 | Wed 4 Mar 23:30 | P1 Acme | Alice 23:30 (night), Bob 23:35 (18:35 EST) | Bob 23:39 (540 s) |
| 3 | Sat 14 Mar 11:30 | P1 Beta | Bob 11:30 (07:30 EDT, not night) | Bob 11:33 (180 s) |
| 4 | Thu 19 Mar 21:30 | P2 Beta | Alice 21:30, Bob 21:45 (17:45 EDT), Charlie 22:00 (night) | Charlie 22:05 (2100 s) |
| 5 | Fri 27 Mar 08:00 | P1 Acme | Bob 08:00 (04:00 EDT, night) | Bob 08:01 (60 s), then deferred |
| 6 | Sun 29 Mar 00:30 | P1 Acme | Bob 00:30 (20:30 EDT), Alice 00:35 (night), Charlie 00:40 (night) | Bob 00:42 (720 s) |
| 7 | Sun 29 Mar 23:30 | P1 Beta | Bob 23:30 (Monday 00:30 BST, 19:30 EDT) | Bob 23:34 (240 s) |
| 8 | Wed 1 Apr 10:00 | P2 Cedar | Alice 10:00 (11:00 BST, in hours) | Alice 10:10 (600 s) |

Page 7 opens at 00:30 on Monday in London, so it belongs to the week of
30 March, although it is still Sunday in UTC. A drill page to Alice, a
notice to Alice and a P3 report from Acme are seeded too and count nowhere.
"""

from datetime import date, datetime, timedelta

import pytest

from conftest import utc
from oohdesk.paging.engine import run_once
from oohdesk.paging.escalation import acknowledge
from oohdesk.paging.notices import queue_notice
from oohdesk.reports import exports
from oohdesk.reports.fairness import calendar_bank_holidays, fairness
from oohdesk.reports.figures import Period, is_night, percentile_90, wellbeing
from oohdesk.reports.organisations import organisation_rows
from oohdesk.tickets import actions
from oohdesk.tickets.actions import Actor
from oohdesk.tickets.drills import start_drill
from oohdesk.zones import get_zone
from reports import report

LONDON = get_zone("Europe/London")
PERIOD = Period(date(2026, 3, 2), date(2026, 4, 5), LONDON)
REPORT_TIME = utc(2026, 4, 6, 12, 0)
MAR_2, MAR_9, MAR_16, MAR_23, MAR_30 = (date(2026, 3, day) for day in (2, 9, 16, 23, 30))


def incident(team, opened: datetime, organisation: str, priority: str, steps: int, ack_by, ack_at: datetime):
    """File a report, send its pages, escalate ``steps`` times, then acknowledge."""
    affects_half = "yes" if priority == "P1" else "no"
    ticket = report(team, opened, site_down="yes", affects_half=affects_half, organisation=organisation)
    timeout = timedelta(seconds=team.escalation_policy.ack_timeout(priority))
    for step in range(steps + 1):
        run_once(opened + step * timeout)
    acknowledge(ticket.page.id, ack_at, ack_by, via="test")
    return ticket


@pytest.fixture
def month(team, alice, bob, charlie, settings):
    settings.OOHDESK_MISUSE_LIMIT = 2
    bob.time_zone = "America/New_York"
    bob.save()
    seeded = [
        incident(team, utc(2026, 3, 3, 14, 0), "Acme Widgets", "P2", 0, alice, utc(2026, 3, 3, 14, 2)),
        incident(team, utc(2026, 3, 4, 23, 30), "Acme Widgets", "P1", 1, bob, utc(2026, 3, 4, 23, 39)),
        incident(team, utc(2026, 3, 14, 11, 30), "Beta Books", "P1", 0, bob, utc(2026, 3, 14, 11, 33)),
        incident(team, utc(2026, 3, 19, 21, 30), "Beta Books", "P2", 2, charlie, utc(2026, 3, 19, 22, 5)),
        incident(team, utc(2026, 3, 27, 8, 0), "Acme Widgets", "P1", 0, bob, utc(2026, 3, 27, 8, 1)),
        incident(team, utc(2026, 3, 29, 0, 30), "Acme Widgets", "P1", 2, bob, utc(2026, 3, 29, 0, 42)),
        incident(team, utc(2026, 3, 29, 23, 30), "Beta Books", "P1", 0, bob, utc(2026, 3, 29, 23, 34)),
        incident(team, utc(2026, 4, 1, 10, 0), "Cedar Cafe", "P2", 0, alice, utc(2026, 4, 1, 10, 10)),
    ]
    actions.defer(seeded[4], utc(2026, 3, 27, 8, 5), Actor.for_member(bob), "test", "Only the blog is down.")
    judgements = [True, False, True, None, False, False, True, True]
    for ticket, genuine in zip(seeded, judgements):
        if genuine is not None:
            actions.judge(ticket, REPORT_TIME, Actor.for_member(alice), "test", genuine)

    drill = start_drill(team, alice, "Practice", None, utc(2026, 4, 1, 1, 0))
    drill_form_ticket = report_drill(team, drill, utc(2026, 4, 1, 2, 0))
    run_once(utc(2026, 4, 1, 2, 0))
    acknowledge(drill_form_ticket.page.id, utc(2026, 4, 1, 2, 1), alice, via="test")
    queue_notice(alice, "Weekly summary", "Three pages.", utc(2026, 3, 10, 10, 0))
    run_once(utc(2026, 3, 10, 10, 0))
    report(team, utc(2026, 3, 11, 10, 0), site_down="no", affects_half="no", organisation="Acme Widgets")
    return seeded


def report_drill(team, drill, at):
    from oohdesk.tickets.forms import IssueReportForm
    from oohdesk.tickets.intake import accept_report
    from reports import GOOD_REPORT

    form = IssueReportForm(data={**GOOD_REPORT, "site_down": "yes", "affects_half": "yes", "organisation": "Acme Widgets"})
    assert form.is_valid(), form.errors
    return accept_report(form, team, at, source="form", drill=drill).ticket


@pytest.mark.django_db
def test_weeks_match_hand_figures(month):
    weeks = wellbeing(PERIOD).weeks
    assert list(weeks) == [MAR_2, MAR_9, MAR_16, MAR_23, MAR_30]
    expected = {
        # week: pages, out-of-hours pages, interruptions, out of hours, night, median, p90, escalated
        MAR_2: (2, 1, 3, 2, 1, 330, 540, 1),
        MAR_9: (1, 1, 1, 1, 0, 180, 180, 0),
        MAR_16: (1, 1, 3, 3, 1, 2100, 2100, 1),
        MAR_23: (2, 2, 4, 4, 3, 390, 720, 1),
        MAR_30: (2, 1, 2, 1, 0, 420, 600, 0),
    }
    for week, figures in expected.items():
        tally = weeks[week]
        actual = (
            tally.pages, tally.out_of_hours_pages, tally.interruptions, tally.out_of_hours,
            tally.night, tally.ack_median, tally.ack_p90, tally.escalated,
        )
        assert actual == figures, week


@pytest.mark.django_db
def test_people_match_hand_figures(month, alice, bob, charlie):
    people = wellbeing(PERIOD).people
    expected = {
        # member: interruptions, out of hours, night, acknowledged, median, p90, escalated past them
        alice.id: (5, 3, 2, 2, 360, 600, 3),
        bob.id: (6, 6, 1, 5, 240, 720, 2),
        charlie.id: (2, 2, 2, 1, 2100, 2100, 0),
    }
    assert set(people) == set(expected)
    for member_id, figures in expected.items():
        tally = people[member_id]
        actual = (
            tally.interruptions, tally.out_of_hours, tally.night, tally.acknowledged,
            tally.ack_median, tally.ack_p90, tally.escalated,
        )
        assert actual == figures, member_id


@pytest.mark.django_db
def test_person_weeks_across_clock_change(month, alice, bob):
    people_weeks = wellbeing(PERIOD).people_weeks
    bob_clock_change_week = people_weeks[(MAR_23, bob.id)]
    assert (bob_clock_change_week.interruptions, bob_clock_change_week.night) == (2, 1)
    assert (bob_clock_change_week.ack_median, bob_clock_change_week.ack_p90) == (390, 720)
    assert bob_clock_change_week.escalated == 1
    assert people_weeks[(MAR_30, bob.id)].interruptions == 1
    assert people_weeks[(MAR_30, bob.id)].ack_seconds == [240]
    assert people_weeks[(MAR_23, alice.id)].night == 1
    assert (MAR_9, alice.id) not in people_weeks


@pytest.mark.django_db
def test_organisations_match_hand_figures(month):
    rows = {row.organisation: row for row in organisation_rows(PERIOD, REPORT_TIME)}
    assert list(rows) == ["Acme Widgets", "Beta Books", "Cedar Cafe"]
    acme, beta, cedar = rows["Acme Widgets"], rows["Beta Books"], rows["Cedar Cafe"]
    assert (acme.urgent_reports, acme.not_genuine, acme.deferred, acme.not_judged) == (4, 3, 1, 0)
    assert (acme.not_genuine_share, acme.deferred_share) == (0.75, 0.25)
    # Three not genuine within 30 days of 2 April is over the limit of 2; by 6 April the 4 March one has aged out.
    assert not acme.flagged
    assert organisation_rows(PERIOD, utc(2026, 4, 2, 12, 0))[0].flagged
    assert (beta.urgent_reports, beta.not_genuine, beta.deferred, beta.not_judged) == (3, 0, 0, 1)
    assert beta.not_genuine_share == 0
    assert not beta.flagged
    assert (cedar.urgent_reports, cedar.not_genuine) == (1, 0)


@pytest.mark.django_db
def test_weeks_csv_matches(month):
    rows = list(exports.week_rows(wellbeing(PERIOD)))
    assert rows[0][:3] == ["week_starting", "pages", "out_of_hours_pages"]
    assert rows[1] == ["2026-03-02", 2, 1, 3, 2, 1, 2, "330", "540", 1]
    assert rows[4] == ["2026-03-23", 2, 2, 4, 4, 3, 2, "390", "720", 1]
    people = list(exports.people_rows(wellbeing(PERIOD)))
    assert people[1] == ["Alice", 5, 3, 2, 2, "360", "600", 3]


@pytest.mark.django_db
def test_fairness_since_date(month, alice, bob):
    def good_friday(calendar, first, last):
        return {date(2026, 4, 3): "Good Friday"}

    rows = {row.member.name: row for row in fairness(date(2026, 3, 2), date(2026, 4, 5), holidays_for=good_friday)}
    assert (rows["Alice"].days, rows["Alice"].weeks, rows["Alice"].weekend_days, rows["Alice"].weekends) == (21, 3, 6, 3)
    assert rows["Alice"].bank_holidays == [(date(2026, 4, 3), "Good Friday")]
    assert (rows["Bob"].days, rows["Bob"].weeks, rows["Bob"].weekend_days) == (14, 2, 4)
    assert rows["Bob"].bank_holidays == []
    csv_rows = list(exports.fairness_rows(list(rows.values())))
    assert csv_rows[1] == ["Web team", "Alice", 21, "3.00", 6, "3", 1, "2026-04-03"]


@pytest.mark.django_db
def test_fairness_handover_day_counts_once(team):
    rows = {row.member.name: row for row in fairness(date(2026, 3, 8), date(2026, 3, 9), holidays_for=lambda *args: {})}
    # Sunday 8 March is Alice's; Monday 9 March at noon is already Bob's.
    assert (rows["Alice"].days, rows["Bob"].days) == (1, 1)
    assert rows["Alice"].weekend_days == 1


@pytest.mark.django_db
def test_bank_holidays_from_region(calendar):
    calendar.country, calendar.subdivision = "GB", "SCT"
    found = calendar_bank_holidays(calendar, date(2026, 1, 1), date(2026, 1, 31))
    # Scotland has 2 January as a bank holiday; England does not.
    assert list(found) == [date(2026, 1, 1), date(2026, 1, 2)]
    calendar.subdivision = "ENG"
    assert list(calendar_bank_holidays(calendar, date(2026, 1, 1), date(2026, 1, 31))) == [date(2026, 1, 1)]


@pytest.mark.django_db
def test_bank_holidays_without_region(calendar):
    assert calendar_bank_holidays(calendar, date(2026, 1, 1), date(2026, 12, 31)) == {}


@pytest.mark.django_db
def test_fairness_counts_region_holidays(team, calendar):
    calendar.country, calendar.subdivision = "GB", "ENG"
    calendar.save()
    rows = {row.member.name: row for row in fairness(date(2026, 3, 30), date(2026, 4, 12))}
    # Good Friday (3 April) is in Alice's week; Easter Monday (6 April) at noon is Bob's.
    assert [day for day, _name in rows["Alice"].bank_holidays] == [date(2026, 4, 3)]
    assert [day for day, _name in rows["Bob"].bank_holidays] == [date(2026, 4, 6)]


def test_night_boundaries():
    new_york = get_zone("America/New_York")
    assert is_night(utc(2026, 3, 19, 22, 0), LONDON)
    assert not is_night(utc(2026, 3, 19, 21, 59, 59), LONDON)
    assert is_night(utc(2026, 3, 20, 6, 59, 59), LONDON)
    assert not is_night(utc(2026, 3, 20, 7, 0), LONDON)
    # 11:30 UTC on 14 March is 07:30 in New York after its clocks went forward, 06:30 before.
    assert not is_night(utc(2026, 3, 14, 11, 30), new_york)
    assert is_night(utc(2026, 3, 7, 11, 30), new_york)


def test_percentile_nearest_rank():
    assert percentile_90([]) is None
    assert percentile_90([5]) == 5
    assert percentile_90(list(range(1, 11))) == 9
    assert percentile_90(list(range(1, 12))) == 10
