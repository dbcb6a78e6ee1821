"""The YAML configuration file: parsing, validation, apply, export and the config command."""

import json
import re
from datetime import date, time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from oohdesk.configuration import apply as apply_module
from oohdesk.configuration.apply import apply_config
from oohdesk.configuration.export import export_config
from oohdesk.configuration.loader import dump_document, load_document
from oohdesk.configuration.reader import ConfigError
from oohdesk.configuration.schema import parse_config
from oohdesk.configuration.values import format_duration, parse_duration
from oohdesk.hours.models import BusinessCalendar, OpeningInterval
from oohdesk.paging.models import ContactMethod, EscalationPolicy, EscalationStep
from oohdesk.rota.models import Member, Rota, RotaMembership, Team

MODELS = [BusinessCalendar, OpeningInterval, EscalationPolicy, EscalationStep, Member, ContactMethod, Team, Rota, RotaMembership]

DOCS = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"

# Written the way export writes it (every key, lists ordered by slug or email),
# so that apply then export returns exactly this document.
CANONICAL = """
calendars:
- slug: always-open
  name: Round the clock
  time_zone: Europe/London
  opening_hours:
    monday: ['00:00-00:00']
    tuesday: ['00:00-00:00']
    wednesday: ['00:00-00:00']
    thursday: ['00:00-00:00']
    friday: ['00:00-00:00']
    saturday: ['00:00-00:00']
    sunday: ['00:00-00:00']
- slug: uk-office
  name: UK office
  time_zone: Europe/London
  opening_hours:
    monday: ['09:00-12:30', '13:30-17:30']
    tuesday: ['09:00-17:30']
    wednesday: ['09:00-17:30']
    thursday: ['09:00-17:30']
    friday: ['09:00-17:30']
escalation_policies:
- slug: standard
  name: Standard
  ack_timeout: {P1: 5m, P2: 15m}
  repeat: 2
  steps: [on_call, next_in_rota, team_lead]
members:
- name: Alice Example
  email: alice@agency.example
  time_zone: Europe/London
  admin: false
  contact_methods:
  - {kind: demo_phone, delay: 0s}
  - {kind: email, delay: 2m}
- name: Bob Example
  email: bob@agency.example
  time_zone: Europe/London
  admin: false
  contact_methods:
  - {kind: demo_phone, delay: 0s}
  - {kind: email, address: bob.pager@agency.example, delay: 90s}
- name: Charlie Example
  email: charlie@agency.example
  time_zone: Europe/London
  admin: false
  contact_methods:
  - {kind: demo_phone, delay: 0s}
- name: Dana Example
  email: dana@agency.example
  time_zone: Europe/Dublin
  admin: false
  contact_methods:
  - {kind: demo_phone, delay: 0s}
- name: Erin Example
  email: erin@agency.example
  time_zone: Europe/London
  admin: true
  contact_methods:
  - {kind: email, delay: 0s}
teams:
- slug: web
  name: Web team
  calendar: uk-office
  escalation_policy: standard
  lead: charlie@agency.example
  rota:
    time_zone: Europe/London
    handover: {weekday: monday, time: '09:00'}
    start_date: '2026-01-05'
    members: [alice@agency.example, bob@agency.example, dana@agency.example]
    handover_notice: working_day_before
    overrides:
    - {member: charlie@agency.example, start: '2026-12-24T18:00+00:00', end: '2026-12-27T09:00+00:00', note: Christmas cover}
"""


def canonical() -> dict:
    return load_document(CANONICAL)


def snapshot() -> dict:
    """Every row of every configured table, ordered by id, so any write shows up."""
    return {model.__name__: list(model.objects.order_by("id").values()) for model in MODELS}


def problems_for(document) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        apply_config(document)
    return caught.value.problems


def docs_example() -> str:
    text = DOCS.read_text(encoding="utf-8")
    return re.search(r"```yaml\n(.*?)```", text, re.S)[1]


# Apply.


def test_apply_creates_everything(db):
    changes = apply_config(canonical())

    assert "calendar uk-office: created" in changes
    assert "team web: created" in changes
    assert len(changes) == 9

    office = BusinessCalendar.objects.get(slug="uk-office")
    assert office.name == "UK office"
    assert office.time_zone == "Europe/London"
    mondays = [(row.opens, row.closes) for row in office.openings.filter(weekday=0)]
    assert mondays == [(time(9), time(12, 30)), (time(13, 30), time(17, 30))]
    assert office.openings.count() == 6

    always = BusinessCalendar.objects.get(slug="always-open")
    assert {(row.weekday, row.opens, row.closes) for row in always.openings.all()} == {
        (weekday, time(0), time(0)) for weekday in range(7)
    }

    policy = EscalationPolicy.objects.get(slug="standard")
    assert (policy.p1_ack_timeout, policy.p2_ack_timeout, policy.repeat_count) == (300, 900, 2)
    assert [step.target for step in policy.steps.all()] == ["on_call", "next_in_rota", "team_lead"]

    alice = Member.objects.get(email="alice@agency.example")
    methods = [(row.kind, row.address, row.delay_seconds, row.position) for row in alice.contact_methods.all()]
    assert methods == [("demo_phone", "", 0, 0), ("email", "alice@agency.example", 120, 1)]
    bob_email = ContactMethod.objects.get(member__email="bob@agency.example", kind="email")
    assert bob_email.address == "bob.pager@agency.example"
    assert bob_email.delay_seconds == 90
    assert Member.objects.get(email="erin@agency.example").is_admin
    assert Member.objects.get(email="dana@agency.example").time_zone == "Europe/Dublin"

    team = Team.objects.get(slug="web")
    assert team.calendar == office
    assert team.escalation_policy == policy
    assert team.lead.email == "charlie@agency.example"
    rota = team.rota
    assert (rota.time_zone, rota.handover_weekday, rota.handover_time) == ("Europe/London", 0, time(9))
    assert rota.start_date == date(2026, 1, 5)
    assert [row.member.email for row in rota.memberships.all()] == [
        "alice@agency.example",
        "bob@agency.example",
        "dana@agency.example",
    ]


def test_apply_fills_defaults(db):
    document = {
        "calendars": [{"slug": "office", "name": "Office", "opening_hours": {}}],
        "escalation_policies": [{"slug": "basic", "name": "Basic", "steps": ["on_call"]}],
        "members": [{"name": "Alice", "email": "alice@agency.example", "contact_methods": [{"kind": "email"}]}],
        "teams": [
            {
                "slug": "web",
                "name": "Web",
                "calendar": "office",
                "escalation_policy": "basic",
                "rota": {"start_date": "2026-01-05", "members": ["alice@agency.example"]},
            }
        ],
    }

    apply_config(document)

    assert BusinessCalendar.objects.get().time_zone == "Europe/London"
    policy = EscalationPolicy.objects.get()
    assert (policy.p1_ack_timeout, policy.p2_ack_timeout, policy.repeat_count) == (300, 900, 2)
    alice = Member.objects.get()
    assert (alice.time_zone, alice.is_admin) == ("Europe/London", False)
    method = alice.contact_methods.get()
    assert (method.address, method.delay_seconds) == ("alice@agency.example", 0)
    team = Team.objects.get()
    assert team.lead is None
    assert (team.rota.time_zone, team.rota.handover_weekday, team.rota.handover_time) == ("Europe/London", 0, time(9))


def test_apply_twice_changes_nothing(db):
    apply_config(canonical())
    before = snapshot()

    assert apply_config(canonical()) == []
    assert snapshot() == before


def test_docs_example_applies_twice_cleanly(db):
    document = load_document(docs_example())

    assert len(apply_config(document)) == 9
    assert apply_config(document) == []


def test_apply_updates_changed_fields(db):
    apply_config(canonical())
    document = canonical()
    document["calendars"][1]["name"] = "London office"
    document["escalation_policies"][0]["ack_timeout"]["P1"] = "90s"
    document["teams"][0]["rota"]["handover"]["weekday"] = "tuesday"

    changes = apply_config(document)

    assert changes == [
        'calendar uk-office: name changed from "UK office" to "London office"',
        'escalation policy standard: ack_timeout.P1 changed from "5m" to "90s"',
        'team web rota: handover.weekday changed from "monday" to "tuesday"',
    ]
    assert EscalationPolicy.objects.get().p1_ack_timeout == 90


def test_contact_method_reorder_is_change(db):
    apply_config(canonical())
    ids = {row.kind: row.id for row in ContactMethod.objects.filter(member__email="alice@agency.example")}
    document = canonical()
    methods = document["members"][0]["contact_methods"]
    methods.reverse()

    changes = apply_config(document)

    assert changes == [
        "member alice@agency.example: contact method email alice@agency.example moved from contact_methods[1] to contact_methods[0]",
        "member alice@agency.example: contact method demo_phone moved from contact_methods[0] to contact_methods[1]",
    ]
    reordered = list(ContactMethod.objects.filter(member__email="alice@agency.example").order_by("position"))
    assert [(row.kind, row.id) for row in reordered] == [("email", ids["email"]), ("demo_phone", ids["demo_phone"])]


def test_contact_method_address_change_replaces_row(db):
    apply_config(canonical())
    document = canonical()
    document["members"][1]["contact_methods"][1]["address"] = "bob@agency.example"

    changes = apply_config(document)

    assert changes == [
        "member bob@agency.example: contact method email bob@agency.example added as contact_methods[1]",
        "member bob@agency.example: contact method email bob.pager@agency.example removed",
    ]
    assert not ContactMethod.objects.filter(address="bob.pager@agency.example").exists()


def test_child_lists_follow_file(db):
    apply_config(canonical())
    document = canonical()
    document["calendars"][1]["opening_hours"]["monday"] = ["09:00-17:30"]
    del document["calendars"][1]["opening_hours"]["friday"]
    document["escalation_policies"][0]["steps"] = ["on_call", "team_lead"]
    document["members"][0]["contact_methods"] = []

    changes = apply_config(document)

    assert changes == [
        "calendar uk-office: opening monday 09:00-12:30 removed",
        "calendar uk-office: opening monday 13:30-17:30 removed",
        "calendar uk-office: opening friday 09:00-17:30 removed",
        "calendar uk-office: opening monday 09:00-17:30 added",
        "escalation policy standard: steps changed from [on_call, next_in_rota, team_lead] to [on_call, team_lead]",
        "member alice@agency.example: contact method demo_phone removed",
        "member alice@agency.example: contact method email alice@agency.example removed",
    ]
    office = BusinessCalendar.objects.get(slug="uk-office")
    assert not office.openings.filter(weekday=4).exists()
    assert [step.target for step in EscalationPolicy.objects.get().steps.all()] == ["on_call", "team_lead"]
    assert not ContactMethod.objects.filter(member__email="alice@agency.example").exists()


def test_rota_reorder_keeps_membership_rows(db):
    apply_config(canonical())
    ids = {row.member.email: row.id for row in RotaMembership.objects.select_related("member")}
    document = canonical()
    document["teams"][0]["rota"]["members"] = ["dana@agency.example", "alice@agency.example", "erin@agency.example"]

    changes = apply_config(document)

    assert changes == [
        "team web rota: members changed from [alice@agency.example, bob@agency.example, dana@agency.example] "
        "to [dana@agency.example, alice@agency.example, erin@agency.example]"
    ]
    rows = list(Rota.objects.get().memberships.select_related("member"))
    assert [(row.member.email, row.position) for row in rows] == [
        ("dana@agency.example", 0),
        ("alice@agency.example", 1),
        ("erin@agency.example", 2),
    ]
    assert rows[0].id == ids["dana@agency.example"]
    assert rows[1].id == ids["alice@agency.example"]
    assert not RotaMembership.objects.filter(member__email="bob@agency.example").exists()


def test_objects_missing_from_file_are_kept(team):
    document = canonical()
    document["teams"][0]["slug"] = "mobile"
    del document["teams"][0]["rota"]
    document["members"] = [member for member in document["members"] if member["email"] != "alice@agency.example"]
    before = snapshot()

    apply_config(document)

    after = snapshot()
    # Bob and Charlie are in the file and get updated, so members are checked through Alice alone.
    for model in ("BusinessCalendar", "OpeningInterval", "EscalationPolicy", "EscalationStep", "ContactMethod", "Team", "Rota", "RotaMembership"):
        assert all(row in after[model] for row in before[model]), model
    alice_before = [row for row in before["Member"] if row["email"] == "alice@agency.example"]
    assert alice_before[0] in after["Member"]
    assert not Rota.objects.filter(team__slug="mobile").exists()


def test_team_without_rota_keeps_stored_rota(team):
    document = {
        "teams": [{"slug": "web", "name": "Web team", "calendar": "office", "escalation_policy": "default", "lead": "charlie@agency.example"}]
    }
    before = snapshot()

    assert apply_config(document) == []
    assert snapshot() == before


def test_missing_lead_clears_stored_lead(team):
    document = {"teams": [{"slug": "web", "name": "Web team", "calendar": "office", "escalation_policy": "default"}]}

    assert apply_config(document) == ["team web: lead changed from charlie@agency.example to none"]
    assert Team.objects.get().lead is None


def test_references_to_stored_objects_accepted(team):
    document = {
        "teams": [
            {
                "slug": "mobile",
                "name": "Mobile",
                "calendar": "office",
                "escalation_policy": "default",
                "lead": "charlie@agency.example",
                "rota": {"start_date": "2026-01-05", "members": ["bob@agency.example", "alice@agency.example"]},
            }
        ]
    }

    assert apply_config(document) == ["team mobile: created"]
    assert [member.email for member in Team.objects.get(slug="mobile").rota.plan().members] == [
        "bob@agency.example",
        "alice@agency.example",
    ]


def test_empty_document_changes_nothing(db):
    assert apply_config(None) == []
    assert apply_config({}) == []


# Export.


def test_export_then_apply_changes_nothing(team):
    before = snapshot()
    exported = load_document(dump_document(export_config()))

    assert apply_config(exported) == []
    assert snapshot() == before


def test_apply_then_export_round_trips(db):
    apply_config(canonical())

    assert export_config() == canonical()


def test_export_yaml_matches_canonical_text(db):
    apply_config(canonical())

    assert load_document(dump_document(export_config())) == canonical()


def test_export_writes_shortest_exact_durations(db):
    document = canonical()
    document["escalation_policies"][0]["ack_timeout"] = {"P1": 90, "P2": "7200s"}
    apply_config(document)

    exported = export_config()["escalation_policies"][0]["ack_timeout"]

    assert exported == {"P1": "90s", "P2": "2h"}


def test_export_of_empty_database(db):
    assert export_config() == {"calendars": [], "escalation_policies": [], "members": [], "teams": []}


# Validation.


def mutate(change):
    document = canonical()
    change(document)
    return document


def set_in(path: list, value):
    def change(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


VALIDATION_CASES = [
    (set_in(["calendars", 0, "time_zone"], "Europe/Londn"), 'calendars[0].time_zone: "Europe/Londn" is not an IANA time zone'),
    (set_in(["calendars", 0, "slug"], "always open"), 'calendars[0].slug: "always open" is not a slug'),
    (set_in(["calendars", 0, "name"], ""), 'calendars[0].name: "" is not a name'),
    (set_in(["calendars", 1, "opening_hours", "monday"], ["9am-5pm"]), "calendars[1].opening_hours.monday[0]: \"9am-5pm\" is not an opening"),
    (
        set_in(["calendars", 1, "opening_hours", "monday"], ["24:00-09:00"]),
        'calendars[1].opening_hours.monday[0]: "24:00-09:00" opens at 24:00, which is only a closing time',
    ),
    (
        set_in(["calendars", 1, "opening_hours", "monday"], ["17:30-09:00"]),
        'calendars[1].opening_hours.monday[0]: "17:30-09:00" does not close after it opens',
    ),
    (
        set_in(["calendars", 1, "opening_hours", "monday"], ["09:00-09:00"]),
        'calendars[1].opening_hours.monday[0]: "09:00-09:00" does not close after it opens',
    ),
    (
        set_in(["calendars", 1, "opening_hours", "monday"], ["09:00-13:00", "12:00-00:00"]),
        'calendars[1].opening_hours.monday: "09:00-13:00" overlaps "12:00-00:00"',
    ),
    (
        set_in(["calendars", 1, "opening_hours", "monday"], ["00:00-00:00", "09:00-10:00"]),
        'calendars[1].opening_hours.monday: "00:00-00:00" overlaps "09:00-10:00"',
    ),
    (set_in(["calendars", 1, "opening_hours", "monday"], "09:00-17:30"), "calendars[1].opening_hours.monday: \"09:00-17:30\" is not a list"),
    (set_in(["calendars", 1, "slug"], "always-open"), 'calendars[1].slug: "always-open" repeats calendars[0].slug'),
    (set_in(["escalation_policies", 0, "ack_timeout", "P1"], "5 min"), 'escalation_policies[0].ack_timeout.P1: "5 min" is not a duration'),
    (set_in(["escalation_policies", 0, "ack_timeout", "P1"], "0s"), 'escalation_policies[0].ack_timeout.P1: "0s" is too short; use at least 1s'),
    (set_in(["escalation_policies", 0, "ack_timeout", "P2"], True), "escalation_policies[0].ack_timeout.P2: true is not a duration"),
    (set_in(["escalation_policies", 0, "repeat"], -1), "escalation_policies[0].repeat: -1 is not a whole number"),
    (set_in(["escalation_policies", 0, "steps"], ["on_call", "lead"]), 'escalation_policies[0].steps[1]: "lead" is not a step'),
    (set_in(["escalation_policies", 0, "steps"], []), "escalation_policies[0].steps: the list is empty"),
    (set_in(["members", 0, "email"], "alice"), 'members[0].email: "alice" is not an email address'),
    (set_in(["members", 1, "email"], "alice@agency.example"), 'members[1].email: "alice@agency.example" repeats members[0].email'),
    (set_in(["members", 0, "admin"], "maybe"), 'members[0].admin: "maybe" is not true or false'),
    (set_in(["members", 0, "time_zone"], "BST"), 'members[0].time_zone: "BST" is not an IANA time zone'),
    (set_in(["members", 0, "contact_methods", 0, "kind"], "pager"), 'members[0].contact_methods[0].kind: "pager" is not a contact method kind'),
    (set_in(["members", 0, "contact_methods", 0, "address"], "07700 900000"), "members[0].contact_methods[0].address: demo_phone has no address"),
    (set_in(["members", 0, "contact_methods", 1, "address"], "not mail"), 'members[0].contact_methods[1].address: "not mail" is not an email address'),
    (set_in(["members", 0, "contact_methods", 1, "delay"], "-5s"), 'members[0].contact_methods[1].delay: "-5s" is not a duration'),
    (
        set_in(["members", 0, "contact_methods"], [{"kind": "email"}, {"kind": "email", "address": "alice@agency.example"}]),
        'members[0].contact_methods[1]: ["email", "alice@agency.example"] repeats members[0].contact_methods[0]',
    ),
    (set_in(["teams", 0, "calendar"], "uk-ofice"), 'teams[0].calendar: no calendar "uk-ofice" in this file or the database'),
    (set_in(["teams", 0, "escalation_policy"], "gold"), 'teams[0].escalation_policy: no escalation policy "gold"'),
    (set_in(["teams", 0, "lead"], "zed@agency.example"), 'teams[0].lead: no member "zed@agency.example"'),
    (set_in(["teams", 0, "rota", "handover", "weekday"], "mon"), 'teams[0].rota.handover.weekday: "mon" is not a weekday; use monday to sunday'),
    (set_in(["teams", 0, "rota", "handover", "time"], "9"), 'teams[0].rota.handover.time: "9" is not a time'),
    (set_in(["teams", 0, "rota", "start_date"], "05/01/2026"), 'teams[0].rota.start_date: "05/01/2026" is not a date'),
    (set_in(["teams", 0, "rota", "start_date"], "2026-02-30"), 'teams[0].rota.start_date: "2026-02-30" is not a date'),
    (
        set_in(["teams", 0, "rota", "members"], ["alice@agency.example", "bob@agency.example", "alice@agency.example"]),
        'teams[0].rota.members[2]: "alice@agency.example" repeats teams[0].rota.members[0]; list each member once',
    ),
    (set_in(["teams", 0, "rota", "members"], ["alice@agency.example", "zed@agency.example"]), 'teams[0].rota.members[1]: no member "zed@agency.example"'),
    (set_in(["teams", 0, "rota"], "weekly"), 'teams[0].rota: "weekly" is not a mapping'),
    (set_in(["teams"], {"slug": "web"}), "teams: a mapping is not a list"),
]


@pytest.mark.parametrize(("change", "expected"), VALIDATION_CASES)
def test_validation_error_names_path(db, change, expected):
    problems = problems_for(mutate(change))

    assert any(problem.startswith(expected) for problem in problems), problems


def test_missing_key_names_path(db):
    document = canonical()
    del document["members"][2]["contact_methods"]

    assert problems_for(document) == ['members[2]: missing key "contact_methods"; add it']


def test_unknown_keys_rejected_by_name(db):
    document = canonical()
    document["calendar"] = []
    document["members"][0]["admn"] = True
    document["teams"][0]["rota"]["handover"]["hour"] = "09:00"

    problems = problems_for(document)

    assert problems == [
        'top level: unknown key "calendar" (did you mean "calendars"?); '
        "the keys allowed here are calendars, escalation_policies, members, teams, announcement_channels",
        'members[0]: unknown key "admn" (did you mean "admin"?); '
        "the keys allowed here are name, email, contact_methods, time_zone, admin, notification_rules",
        'teams[0].rota.handover: unknown key "hour"; the keys allowed here are weekday, time',
    ]


def test_every_error_is_reported(db):
    document = canonical()
    document["calendars"][0]["time_zone"] = "Nowhere"
    document["escalation_policies"][0]["repeat"] = "twice"
    document["members"][0]["email"] = "alice"
    document["teams"][0]["rota"]["handover"]["weekday"] = "someday"

    problems = problems_for(document)

    assert [problem.split(":")[0] for problem in problems] == [
        "calendars[0].time_zone",
        "escalation_policies[0].repeat",
        "members[0].email",
        "teams[0].rota.handover.weekday",
        "teams[0].rota.members[0]",
    ]


def test_invalid_file_stores_nothing(db):
    document = canonical()
    document["teams"][0]["lead"] = "zed@agency.example"

    problems_for(document)

    assert all(rows == [] for rows in snapshot().values())


def test_failure_during_writes_stores_nothing(db, monkeypatch):
    def fail(spec, at):
        raise RuntimeError("database went away")

    monkeypatch.setattr(apply_module, "apply_team", fail)

    with pytest.raises(RuntimeError):
        apply_config(canonical())

    assert all(rows == [] for rows in snapshot().values())


def test_invalid_update_keeps_stored_values(db):
    apply_config(canonical())
    before = snapshot()
    document = canonical()
    document["calendars"][1]["name"] = "Renamed"
    document["members"][0]["contact_methods"].reverse()
    document["teams"][0]["calendar"] = "missing"

    problems_for(document)

    assert snapshot() == before


def test_parse_config_without_database():
    config = parse_config(canonical())

    assert [team.slug for team in config.teams] == ["web"]
    assert config.teams[0].rota.members[0] == "alice@agency.example"


# YAML.


def test_yaml_syntax_error_names_line():
    with pytest.raises(ConfigError) as caught:
        load_document("teams:\n  - slug: web\n   name: Web\n")

    assert caught.value.problems[0].startswith("line 3, column 4: invalid YAML")


def test_repeated_key_rejected():
    with pytest.raises(ConfigError) as caught:
        load_document("members:\n  - name: Alice\n    name: Bob\n")

    assert caught.value.problems == ['line 3, column 5: invalid YAML: key "name" repeats the key on line 2; remove one of them']


def test_unquoted_time_stays_text():
    document = load_document("handover: {weekday: monday, time: 17:30}\nat: 09:00\ncount: 12\n")

    assert document == {"handover": {"weekday": "monday", "time": "17:30"}, "at": "09:00", "count": 12}


def test_impossible_date_stays_text():
    assert load_document("start_date: 2026-13-01\n") == {"start_date": "2026-13-01"}
    assert load_document("start_date: 2026-01-05\n") == {"start_date": date(2026, 1, 5)}


# Durations.


@pytest.mark.parametrize(
    ("text", "seconds"), [(0, 0), (45, 45), ("45s", 45), ("5m", 300), ("2h", 7200), ("90s", 90), ("0s", 0)]
)
def test_duration_parses(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["5", "5 m", "1h30m", "-1", "1.5h", "m", True, None, 2.5, -1])
def test_duration_rejects_junk(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (90, "90s"), (300, "5m"), (5400, "90m"), (7200, "2h"), (86400, "24h")])
def test_duration_formats_in_shortest_exact_unit(seconds, text):
    assert format_duration(seconds) == text
    assert parse_duration(text) == seconds


# The config command.


def write(tmp_path, text: str) -> str:
    path = tmp_path / "oohdesk.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_command_apply_prints_changes(db, tmp_path):
    path = write(tmp_path, CANONICAL)
    out = StringIO()

    call_command("config", "apply", path, stdout=out)

    assert "team web: created" in out.getvalue().splitlines()


def test_command_apply_twice_prints_no_changes(db, tmp_path):
    path = write(tmp_path, CANONICAL)
    call_command("config", "apply", path, stdout=StringIO())
    out = StringIO()

    call_command("config", "apply", path, stdout=out)

    assert out.getvalue().strip() == "No changes."


def test_command_apply_json(db, tmp_path):
    path = write(tmp_path, CANONICAL)
    out = StringIO()

    call_command("config", "apply", "--json", path, stdout=out)

    assert len(json.loads(out.getvalue())["changes"]) == 9


def test_command_invalid_file_exits_2(db, tmp_path):
    document = canonical()
    document["members"][0]["email"] = "alice"
    document["teams"][0]["rota"]["handover"]["weekday"] = "mon"
    path = write(tmp_path, dump_document(document))
    err = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("config", "apply", path, stdout=StringIO(), stderr=err)

    assert caught.value.returncode == 2
    lines = err.getvalue().splitlines()
    assert lines[0].startswith('members[0].email: "alice" is not an email address')
    assert 'teams[0].rota.handover.weekday: "mon" is not a weekday; use monday to sunday' in lines
    assert all(rows == [] for rows in snapshot().values())


def test_command_yaml_error_exits_2(db, tmp_path):
    path = write(tmp_path, "calendars: [\n")
    err = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("config", "apply", path, stdout=StringIO(), stderr=err)

    assert caught.value.returncode == 2
    assert err.getvalue().startswith("line 2, column 1: invalid YAML")


def test_command_missing_file_exits_2(db, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("config", "apply", str(tmp_path / "missing.yaml"))

    assert caught.value.returncode == 2
    assert "Cannot read" in str(caught.value)


def test_command_export_prints_yaml(team):
    out = StringIO()

    call_command("config", "export", stdout=out)

    exported = load_document(out.getvalue())
    assert exported == export_config()
    assert exported["teams"][0]["rota"]["members"] == ["alice@agency.example", "bob@agency.example"]
    assert exported["escalation_policies"][0]["ack_timeout"] == {"P1": "5m", "P2": "15m"}


def test_command_export_then_apply_prints_no_changes(team, tmp_path):
    out = StringIO()
    call_command("config", "export", stdout=out)
    path = write(tmp_path, out.getvalue())
    applied = StringIO()

    call_command("config", "apply", path, stdout=applied)

    assert applied.getvalue().strip() == "No changes."

