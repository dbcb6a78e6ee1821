"""The configuration file's provider contact methods, notification rules and announcement channels."""

import copy

import pytest

from oohdesk.configuration.apply import apply_config
from oohdesk.configuration.export import export_config
from oohdesk.configuration.loader import dump_document, load_document
from oohdesk.configuration.reader import ConfigError
from oohdesk.paging.models import AnnouncementChannel, ContactMethod, NotificationRule

PUSHOVER_KEY = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
DOCUMENT = f"""
calendars:
  - slug: office
    name: Office
    opening_hours: {{monday: ["09:00-17:30"]}}
escalation_policies:
  - slug: standard
    name: Standard
    steps: [on_call, team_lead]
members:
  - name: Alice Example
    email: alice@agency.example
    contact_methods:
      - kind: pushover
        address: {PUSHOVER_KEY}
      - kind: voice
        address: "+447700900123"
      - kind: sms
        address: "+447700900123"
      - kind: ntfy
        address: alice-pages-7f3k2q
    notification_rules:
      P1:
        - {{kind: pushover}}
        - {{kind: voice}}
        - {{kind: sms, delay: 2m}}
      P2:
        - {{kind: pushover}}
        - {{kind: voice, delay: 5m}}
teams:
  - slug: web
    name: Web team
    calendar: office
    escalation_policy: standard
    rota:
      start_date: 2026-01-05
      members: [alice@agency.example]
announcement_channels:
  - slug: web-chat
    name: "#web-oncall"
    kind: apprise
    url: json://chat.agency.example/oohdesk
    team: web
  - slug: agency-tools
    name: Agency tools
    kind: webhook
    url: https://tools.agency.example/oohdesk
    secret: a-long-random-signing-secret
"""


def document() -> dict:
    return load_document(DOCUMENT)


def errors(changed: dict) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        apply_config(changed)
    return raised.value.problems


def test_rules_stored_in_order(db):
    apply_config(document())
    rules = NotificationRule.objects.order_by("priority", "position")
    assert [(rule.priority, rule.contact_method.kind, rule.delay_seconds) for rule in rules] == [
        ("P1", "pushover", 0), ("P1", "voice", 0), ("P1", "sms", 120), ("P2", "pushover", 0), ("P2", "voice", 300),
    ]


def test_new_methods_start_unverified(db):
    apply_config(document())
    assert all(not method.is_usable for method in ContactMethod.objects.all())


def test_apply_twice_changes_nothing(db):
    apply_config(document())
    assert apply_config(document()) == []


def test_export_round_trips(db):
    apply_config(document())
    exported = load_document(dump_document(export_config()))
    assert apply_config(exported) == []
    assert exported["members"][0]["notification_rules"]["P1"][2] == {"kind": "sms", "delay": "2m"}
    assert exported["announcement_channels"][0]["url"] == "https://tools.agency.example/oohdesk"


def test_reapply_keeps_verification(db):
    apply_config(document())
    ContactMethod.objects.update(verified_at="2026-12-01T10:00:00Z")
    changed = document()
    changed["members"][0]["notification_rules"]["P2"][1]["delay"] = "10m"
    assert apply_config(changed) == [
        "member alice@agency.example: notification rules changed from "
        "[P1: pushover 0s, voice 0s, sms 2m; P2: pushover 0s, voice 5m] to [P1: pushover 0s, voice 0s, sms 2m; P2: pushover 0s, voice 10m]"
    ]
    assert all(method.is_verified for method in ContactMethod.objects.all())


def test_new_address_needs_verification(db):
    apply_config(document())
    ContactMethod.objects.update(verified_at="2026-12-01T10:00:00Z")
    changed = document()
    changed["members"][0]["contact_methods"][1]["address"] = "+447700900999"
    apply_config(changed)
    assert not ContactMethod.objects.get(kind="voice").is_verified


def test_announcement_channels_stored(db):
    apply_config(document())
    chat = AnnouncementChannel.objects.get(slug="web-chat")
    assert chat.kind == "apprise"
    assert chat.team.slug == "web"
    assert AnnouncementChannel.objects.get(slug="agency-tools").team is None


def test_secret_never_in_change_lines(db):
    apply_config(document())
    changed = document()
    changed["announcement_channels"][1]["secret"] = "another-long-random-secret"
    assert apply_config(changed) == ["announcement channel agency-tools: secret changed"]


CASES = [
    (("members", 0, "contact_methods", 0, "address"), "not-a-key", 'members[0].contact_methods[0].address: \'not-a-key\' is not a Pushover user key'),
    (("members", 0, "contact_methods", 1, "address"), "07700 900123", "members[0].contact_methods[1].address: '07700 900123' is not a phone number in international format"),
    (("members", 0, "contact_methods", 3, "address"), "has spaces", "members[0].contact_methods[3].address: 'has spaces' is not an ntfy topic"),
    (("members", 0, "contact_methods", 0, "kind"), "apprise", 'members[0].contact_methods[0].kind: "apprise" is not a contact method kind'),
    (("members", 0, "notification_rules", "P1", 0, "kind"), "email", 'members[0].notification_rules.P1[0]: no contact method "email" in this member\'s contact_methods'),
    (("members", 0, "notification_rules", "P2", 1, "kind"), "pushover", 'members[0].notification_rules.P2[1]: ["pushover", "' + PUSHOVER_KEY + '"] repeats'),
    (("announcement_channels", 0, "url"), "nonsense://x", "announcement_channels[0].url: is not a URL that Apprise supports"),
    (("announcement_channels", 0, "team"), "nope", 'announcement_channels[0].team: no team "nope"'),
    (("announcement_channels", 1, "secret"), "short", "announcement_channels[1].secret: is not a secret of 16 to 200 characters"),
    (("announcement_channels", 1, "url"), "ftp://tools.example", "announcement_channels[1].url: is not a webhook URL"),
]


@pytest.mark.parametrize("path, value, message", CASES)
def test_invalid_paging_config(db, path, value, message):
    changed = copy.deepcopy(document())
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    problems = errors(changed)
    assert any(problem.startswith(message) for problem in problems), problems


def test_ambiguous_rule_needs_address(db):
    changed = document()
    changed["members"][0]["contact_methods"].append({"kind": "sms", "address": "+447700900555"})
    problems = errors(changed)
    assert any("has 2 \"sms\" contact methods; add address" in problem for problem in problems), problems


def test_webhook_needs_secret(db):
    changed = document()
    del changed["announcement_channels"][1]["secret"]
    assert any('missing key "secret"' in problem for problem in errors(changed))
