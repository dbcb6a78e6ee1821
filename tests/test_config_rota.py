"""The configuration file's rota keys: overrides, backup rotas, handover notices and member changes."""

from datetime import timedelta

import pytest

from conftest import utc
from oohdesk.configuration.apply import apply_config
from oohdesk.configuration.export import export_config
from oohdesk.configuration.loader import dump_document, load_document
from oohdesk.configuration.reader import ConfigError
from oohdesk.paging.models import Page
from oohdesk.rota.models import Override, Rota, Team
from reports import report

# Wednesday 9 December 2026 23:00 GMT: Alice's week on the fixture's rota.
NIGHT = utc(2026, 12, 9, 23)


def team_document(**rota_changes) -> dict:
    rota = {
        "time_zone": "Europe/London",
        "handover": {"weekday": "monday", "time": "09:00"},
        "start_date": "2026-01-05",
        "members": ["alice@agency.example", "bob@agency.example"],
        "handover_notice": "off",
    }
    rota.update(rota_changes)
    team = {"slug": "web", "name": "Web team", "calendar": "office", "escalation_policy": "default", "lead": "charlie@agency.example", "rota": rota}
    return {"teams": [team]}


def problems_for(document) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        apply_config(document, NIGHT)
    return caught.value.problems


@pytest.mark.django_db
def test_overrides_applied_in_rota_zone(team, charlie):
    overrides = [{"member": "charlie@agency.example", "start": "2026-03-28T18:00", "end": "2026-03-30T09:00", "note": "Easter"}]
    changes = apply_config(team_document(overrides=overrides), NIGHT)
    assert changes == ["team web rota: override charlie@agency.example from 2026-03-28T18:00+00:00 to 2026-03-30T09:00+01:00 added"]
    override = Override.objects.get()
    # 09:00 on 30 March is BST, so 08:00 UTC.
    assert (override.starts_at, override.ends_at, override.note) == (utc(2026, 3, 28, 18), utc(2026, 3, 30, 8), "Easter")
    assert apply_config(team_document(overrides=overrides), NIGHT) == []


@pytest.mark.django_db
def test_overrides_key_left_out_keeps_stored(team, charlie):
    apply_config(team_document(overrides=[{"member": "charlie@agency.example", "start": "2026-12-24T18:00", "end": "2026-12-27T09:00"}]), NIGHT)
    assert apply_config(team_document(), NIGHT) == []
    assert Override.objects.count() == 1
    assert apply_config(team_document(overrides=[]), NIGHT) == [
        "team web rota: override charlie@agency.example from 2026-12-24T18:00+00:00 to 2026-12-27T09:00+00:00 removed"
    ]
    assert not Override.objects.exists()


@pytest.mark.django_db
def test_override_order_is_newest_last(team, alice, charlie):
    first = {"member": "charlie@agency.example", "start": "2026-12-24T00:00", "end": "2026-12-26T00:00"}
    second = {"member": "alice@agency.example", "start": "2026-12-25T00:00", "end": "2026-12-25T12:00"}
    apply_config(team_document(overrides=[first, second]), NIGHT)
    assert Team.objects.get().on_call_at(utc(2026, 12, 25, 6)) == alice
    changes = apply_config(team_document(overrides=[second, first]), NIGHT)
    assert changes == ["team web rota: overrides reordered"]
    assert Team.objects.get().on_call_at(utc(2026, 12, 25, 6)) == charlie
    assert apply_config(team_document(overrides=[second, first]), NIGHT) == []


@pytest.mark.django_db
def test_backup_rota_round_trips(team, charlie):
    document = team_document()
    document["teams"][0]["backup_rota"] = {"start_date": "2026-01-05", "members": ["charlie@agency.example"], "handover_notice": "off"}
    changes = apply_config(document, NIGHT)
    assert changes == []
    assert Team.objects.get().backup_at(NIGHT) == charlie
    exported = load_document(dump_document(export_config()))
    assert exported["teams"][0]["backup_rota"]["members"] == ["charlie@agency.example"]
    assert exported["teams"][0]["backup_rota"]["handover_notice"] == "off"
    assert apply_config(exported, NIGHT) == []
    document["teams"][0]["backup_rota"] = None
    assert apply_config(document, NIGHT) == ["team web: backup_rota removed, so the backup is the next member in the rota"]
    assert not Rota.objects.filter(backup_for__isnull=False).exists()


@pytest.mark.django_db
def test_handover_notice_values(team):
    assert apply_config(team_document(handover_notice="2h"), NIGHT) == ['team web rota: handover_notice changed from "off" to "2h"']
    rota = Rota.objects.get()
    assert (rota.handover_notice, rota.handover_notice_seconds) == ("before", 7200)
    assert apply_config(load_document(dump_document(export_config())), NIGHT) == []
    assert apply_config(team_document(handover_notice="working_day_before"), NIGHT) == [
        'team web rota: handover_notice changed from "2h" to "working_day_before"'
    ]


@pytest.mark.django_db
def test_unquoted_off_reads_as_off(team):
    document = team_document()
    del document["teams"][0]["rota"]["handover_notice"]
    text = dump_document(document).replace("members:", "handover_notice: off\n    members:")
    assert apply_config(load_document(text), NIGHT) == []


@pytest.mark.django_db
def test_removing_on_call_member_hands_over(team, alice, bob):
    ticket = report(team, NIGHT)
    changes = apply_config(team_document(members=["bob@agency.example"]), NIGHT + timedelta(minutes=1))
    assert changes == [
        "team web rota: members changed from [alice@agency.example, bob@agency.example] to [bob@agency.example]",
        "team web rota: alice@agency.example was on call and left, so bob@agency.example took over at once (1 pages moved)",
    ]
    assert Team.objects.get().on_call_at(NIGHT + timedelta(minutes=1)) == bob
    assert Page.objects.get(id=ticket.page.id).attempts.filter(member=bob).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rota_changes, expected",
    [
        ({"handover_notice": "soon"}, 'teams[0].rota.handover_notice: "soon" is not a handover notice'),
        ({"overrides": [{"member": "charlie@agency.example", "start": "2026-12-24", "end": "2026-12-25T00:00"}]}, "teams[0].rota.overrides[0].start: "),
        ({"overrides": [{"member": "charlie@agency.example", "start": "2026-12-25T00:00", "end": "2026-12-24T00:00"}]}, "teams[0].rota.overrides[0].end: the end must be after the start"),
        ({"overrides": [{"member": "zed@agency.example", "start": "2026-12-24T00:00", "end": "2026-12-25T00:00"}]}, 'teams[0].rota.overrides[0].member: no member "zed@agency.example"'),
        ({"overrides": [{"member": "charlie@agency.example", "start": "2026-12-24T00:00"}]}, 'teams[0].rota.overrides[0]: missing key "end"'),
    ],
)
def test_override_errors_name_path(team, rota_changes, expected):
    problems = problems_for(team_document(**rota_changes))
    assert any(problem.startswith(expected) for problem in problems), problems
    assert not Override.objects.exists()
