"""Regions, closures, one-off openings and response targets in the configuration file."""

from datetime import date, time

import pytest

from calendars import uk
from oohdesk.configuration.apply import apply_config
from oohdesk.configuration.export import export_config
from oohdesk.configuration.loader import load_document
from oohdesk.configuration.reader import ConfigError
from oohdesk.hours.models import BusinessCalendar, Closure, OneOffOpening
from oohdesk.paging.models import EscalationPolicy

DOCUMENT = """
calendars:
- slug: edinburgh
  name: Edinburgh office
  time_zone: Europe/London
  region: {country: GB, subdivision: SCT}
  opening_hours:
    monday: ['09:00-17:00']
    friday: ['09:00-12:00', '13:00-24:00']
  closures:
  - {name: Christmas shutdown, first_day: '2026-12-24', last_day: '2027-01-04'}
  - {name: Staff day, first_day: '2027-06-11'}
  one_off_openings:
  - date: '2026-12-29'
    name: Year-end support
    hours: ['10:00-12:00', '13:00-15:00']
  - date: '2026-12-29'
    name: Evening cover
    hours: ['18:00-24:00']
escalation_policies:
- slug: standard
  name: Standard
  ack_timeout: {P1: 5m, P2: 15m}
  repeat: 2
  steps: [on_call, team_lead]
  response_target: {P1: 30m, P2: 2h, P3: 4h}
"""


def document() -> dict:
    return load_document(DOCUMENT)


def problems_for(changed: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        apply_config(changed)
    return caught.value.problems


def test_apply_stores_everything(db):
    apply_config(document())
    calendar = BusinessCalendar.objects.get(slug="edinburgh")
    assert (calendar.country, calendar.subdivision) == ("GB", "SCT")
    assert [(row.name, row.first_day, row.last_day) for row in calendar.closures.all()] == [
        ("Christmas shutdown", date(2026, 12, 24), date(2027, 1, 4)),
        ("Staff day", date(2027, 6, 11), date(2027, 6, 11)),
    ]
    assert [(row.name, row.opens, row.closes) for row in calendar.one_off_openings.all()] == [
        ("Year-end support", time(10), time(12)),
        ("Year-end support", time(13), time(15)),
        ("Evening cover", time(18), time(0)),
    ]
    assert calendar.openings.get(weekday=4, opens=time(13)).closes == time(0)
    policy = EscalationPolicy.objects.get(slug="standard")
    assert (policy.p1_response_target, policy.p2_response_target, policy.p3_response_target) == (1800, 7200, 14400)


def test_apply_twice_changes_nothing(db):
    apply_config(document())
    assert apply_config(document()) == []


def test_export_round_trip(db):
    apply_config(document())
    exported = export_config()
    assert apply_config(exported) == []
    calendar = exported["calendars"][0]
    assert calendar["region"] == {"country": "GB", "subdivision": "SCT"}
    assert calendar["closures"][1] == {"name": "Staff day", "first_day": "2027-06-11"}
    assert calendar["one_off_openings"][1] == {"date": "2026-12-29", "name": "Evening cover", "hours": ["18:00-00:00"]}
    assert exported["escalation_policies"][0]["response_target"] == {"P1": "30m", "P2": "2h", "P3": "4h"}


def test_export_leaves_out_empty(db):
    changed = document()
    for key in ("region", "closures", "one_off_openings"):
        del changed["calendars"][0][key]
    del changed["escalation_policies"][0]["response_target"]
    apply_config(changed)
    exported = export_config()
    assert set(exported["calendars"][0]) == {"slug", "name", "time_zone", "opening_hours"}
    assert "response_target" not in exported["escalation_policies"][0]


def test_changes_listed(db):
    apply_config(document())
    changed = document()
    calendar = changed["calendars"][0]
    calendar["region"]["subdivision"] = "ENG"
    calendar["closures"][0]["name"] = "Winter shutdown"
    calendar["closures"][1] = {"name": "Away day", "first_day": "2027-07-02"}
    calendar["one_off_openings"].pop()
    changed["escalation_policies"][0]["response_target"] = {"P3": "8h"}
    assert sorted(apply_config(changed)) == sorted([
        'calendar edinburgh: region.subdivision changed from "SCT" to "ENG"',
        'calendar edinburgh: closure 2026-12-24 to 2027-01-04 "Christmas shutdown" renamed to "Winter shutdown"',
        'calendar edinburgh: closure 2027-06-11 "Staff day" removed',
        'calendar edinburgh: closure 2027-07-02 "Away day" added',
        "calendar edinburgh: one-off opening 2026-12-29 18:00-00:00 removed",
        'escalation policy standard: response_target.P1 changed from "30m" to none',
        'escalation policy standard: response_target.P2 changed from "2h" to none',
        'escalation policy standard: response_target.P3 changed from "4h" to "8h"',
    ])


def test_missing_lists_keep_stored(db):
    apply_config(document())
    changed = document()
    del changed["calendars"][0]["closures"]
    del changed["calendars"][0]["one_off_openings"]
    assert apply_config(changed) == []
    assert Closure.objects.count() == 2
    assert OneOffOpening.objects.count() == 3


def test_empty_lists_remove_stored(db):
    apply_config(document())
    changed = document()
    changed["calendars"][0]["closures"] = []
    changed["calendars"][0]["one_off_openings"] = []
    assert len(apply_config(changed)) == 5
    assert Closure.objects.count() == 0
    assert OneOffOpening.objects.count() == 0


def test_region_removed_with_null(db):
    apply_config(document())
    changed = document()
    changed["calendars"][0]["region"] = None
    assert apply_config(changed) == [
        'calendar edinburgh: region.country changed from "GB" to none',
        'calendar edinburgh: region.subdivision changed from "SCT" to none',
    ]


def with_calendar(**changes) -> dict:
    changed = document()
    changed["calendars"][0].update(changes)
    return changed


@pytest.mark.parametrize(
    ("changed", "problem"),
    [
        (with_calendar(region={"country": "GB"}), "calendars[0].region.subdivision: GB needs a subdivision"),
        (with_calendar(region={"country": "GB", "subdivision": "XX"}), 'calendars[0].region.subdivision: "XX" is not a subdivision of GB'),
        (with_calendar(region={"country": "ZZ"}), 'calendars[0].region.country: "ZZ" is not a country code'),
        (with_calendar(region={"country": 44}), "calendars[0].region.country: 44 is not a code"),
        (with_calendar(region={"subdivision": "ENG"}), 'calendars[0].region: missing key "country"'),
        (with_calendar(region="GB-ENG"), 'calendars[0].region: "GB-ENG" is not a mapping'),
        (
            with_calendar(closures=[{"name": "Backwards", "first_day": "2027-01-04", "last_day": "2026-12-24"}]),
            'calendars[0].closures[0].last_day: "2026-12-24" is before first_day "2027-01-04"; swap them',
        ),
        (with_calendar(closures=[{"name": "No date"}]), 'calendars[0].closures[0]: missing key "first_day"'),
        (with_calendar(closures=[{"name": "Bad", "first_day": "2026-02-30"}]), 'calendars[0].closures[0].first_day: "2026-02-30" is not a date'),
        (
            with_calendar(closures=[{"name": "A", "first_day": "2027-06-11"}, {"name": "B", "first_day": "2027-06-11"}]),
            "calendars[0].closures[1]: [\"2027-06-11\", \"2027-06-11\"] repeats calendars[0].closures[0]",
        ),
        (
            with_calendar(one_off_openings=[{"date": "2026-12-29", "name": "Late", "hours": ["13:00-11:00"]}]),
            'calendars[0].one_off_openings[0].hours[0]: "13:00-11:00" does not close after it opens',
        ),
        (
            with_calendar(one_off_openings=[{"date": "2026-12-29", "name": "Empty", "hours": []}]),
            "calendars[0].one_off_openings[0].hours: the list is empty",
        ),
        (
            with_calendar(one_off_openings=[
                {"date": "2026-12-29", "name": "Morning", "hours": ["09:00-12:00"]},
                {"date": "2026-12-29", "name": "Overlap", "hours": ["11:00-13:00"]},
            ]),
            'calendars[0].one_off_openings[0].hours: "09:00-12:00" overlaps "11:00-13:00"',
        ),
        (
            with_calendar(one_off_openings=[{"day": "2026-12-29", "name": "Typo", "hours": ["09:00-12:00"]}]),
            'calendars[0].one_off_openings[0]: unknown key "day"; the keys allowed here are date, name, hours',
        ),
    ],
)
def test_invalid_calendar_rejected(db, changed, problem):
    problems = problems_for(changed)
    assert any(line.startswith(problem) for line in problems), problems
    assert BusinessCalendar.objects.count() == 0


@pytest.mark.parametrize(
    ("targets", "problem"),
    [
        ({"P3": "0s"}, 'escalation_policies[0].response_target.P3: "0s" is too short; use at least 1s'),
        ({"P4": "1h"}, 'escalation_policies[0].response_target: unknown key "P4"'),
        ({"P1": "soon"}, 'escalation_policies[0].response_target.P1: "soon" is not a duration'),
    ],
)
def test_invalid_target_rejected(db, targets, problem):
    changed = document()
    changed["escalation_policies"][0]["response_target"] = targets
    problems = problems_for(changed)
    assert any(line.startswith(problem) for line in problems), problems


def test_midnight_alias_accepted(db):
    changed = with_calendar(opening_hours={"saturday": ["22:00-24:00"], "sunday": ["00:00-24:00"]})
    apply_config(changed)
    calendar = BusinessCalendar.objects.get()
    assert sorted((row.weekday, row.opens, row.closes) for row in calendar.openings.all()) == [
        (5, time(22), time(0)),
        (6, time(0), time(0)),
    ]
    assert apply_config(with_calendar(opening_hours={"saturday": ["22:00-00:00"], "sunday": ["00:00-00:00"]})) == []


def test_docs_example_closes_holidays(db):
    from test_config_file import docs_example

    apply_config(load_document(docs_example()))
    office = BusinessCalendar.objects.get(slug="uk-office")
    assert office.region_label == "England (GB-ENG)"
    assert office.closures.count() == 2
    hours = office.working_hours()
    assert not hours.is_open(uk("2026-12-29T10:00"))
    assert hours.is_open(uk("2026-12-30T10:00"))
    assert not hours.is_open(uk("2027-03-29T10:00"))
    always = BusinessCalendar.objects.get(slug="always-open").working_hours()
    assert always.is_open(uk("2026-12-06T23:59:59"))
    assert always.is_open(uk("2026-12-07T00:00"))
    assert EscalationPolicy.objects.get(slug="standard").p3_response_target == 4 * 3600
