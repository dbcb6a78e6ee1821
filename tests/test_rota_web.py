"""The rota pages through Django's test client: overrides, member changes, swaps, backup, health, profile."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from conftest import utc
from oohdesk.paging.models import NotificationAttempt, PageEvent
from oohdesk.rota.models import Override, Rota, RotaLogEntry, SwapRequest
from reports import report

# Wednesday 9 December 2026, 10:00 UK time: Alice's week, Bob next from Monday 14 December.
WEDNESDAY = utc(2026, 12, 9, 10)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(WEDNESDAY, tick=False)
    return WEDNESDAY


def login(client, django_user_model, member, staff=False):
    user = django_user_model.objects.create_user(member.email.split("@")[0], password="correct horse battery", is_staff=staff)
    member.user = user
    member.save()
    client.force_login(user)
    return user


@pytest.fixture
def lead_client(client, django_user_model, charlie):
    login(client, django_user_model, charlie, staff=True)
    return client


@pytest.mark.django_db
def test_dashboard_links_rota_pages(lead_client, team, now):
    html = lead_client.get(reverse("dashboard")).content.decode()
    for name in ("rota", "swaps", "rota-health"):
        assert f'href="{reverse(name)}"' in html


@pytest.mark.django_db
def test_overview_shows_on_call(lead_client, team, now):
    html = lead_client.get(reverse("rota")).content.decode()
    assert "<strong>Alice</strong>, until 09:00 on Monday 14 December 2026 (UK time)" in html
    assert "Backup now: Bob" in html


@pytest.mark.django_db
def test_team_page_in_viewer_zone(client, django_user_model, team, alice, now):
    alice.time_zone = "America/New_York"
    alice.save()
    login(client, django_user_model, alice)
    html = client.get(reverse("rota-team", args=["web"])).content.decode()
    assert "04:00 on Monday 14 December 2026 (America/New_York)" in html
    assert "Add an override" not in html


@pytest.mark.django_db
def test_staff_adds_and_removes_override(lead_client, team, charlie, now):
    response = lead_client.post(
        reverse("rota-override-new", args=["web"]),
        {"member": charlie.id, "starts_at": "2026-12-12T18:00", "ends_at": "2026-12-14T09:00", "note": "Weekend cover"},
    )
    assert response.status_code == 302
    override = Override.objects.get()
    assert (override.starts_at, override.ends_at) == (utc(2026, 12, 12, 18), utc(2026, 12, 14, 9))
    assert team.on_call_at(utc(2026, 12, 13)) == charlie
    assert RotaLogEntry.objects.filter(actor="Charlie", message__startswith="Override added").exists()
    lead_client.post(reverse("rota-override-remove", args=[override.id]))
    assert not Override.objects.exists()


@pytest.mark.django_db
def test_override_form_rejects_end_before_start(lead_client, team, charlie, now):
    response = lead_client.post(
        reverse("rota-override-new", args=["web"]),
        {"member": charlie.id, "starts_at": "2026-12-14T09:00", "ends_at": "2026-12-12T18:00"},
    )
    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()
    assert not Override.objects.exists()


@pytest.mark.django_db
def test_override_form_rejects_past_period(lead_client, team, charlie, now):
    response = lead_client.post(
        reverse("rota-override-new", args=["web"]),
        {"member": charlie.id, "starts_at": "2026-11-01T09:00", "ends_at": "2026-11-02T09:00"},
    )
    assert response.status_code == 200
    assert "would end in the past" in response.content.decode()
    assert not Override.objects.exists()


@pytest.mark.django_db
def test_member_cannot_add_override(client, django_user_model, team, alice, now):
    login(client, django_user_model, alice)
    assert client.get(reverse("rota-override-new", args=["web"])).status_code == 403
    assert client.post(reverse("rota-members", args=["web"]), {"add": ""}).status_code == 403


@pytest.mark.django_db
def test_removing_on_call_asks_to_confirm(lead_client, team, alice, bob, now):
    ticket = report(team, WEDNESDAY)
    response = lead_client.post(reverse("rota-members", args=["web"]), {f"position_{alice.id}": "1", f"remove_{alice.id}": "1", f"position_{bob.id}": "2"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Alice is on call now" in html
    assert "1 unacknowledged page will move to them" in html
    # Nothing is saved until the change is confirmed.
    assert list(team.rota.current_members()) == [alice, bob]
    assert team.on_call_at(WEDNESDAY) == alice
    assert not NotificationAttempt.objects.filter(member=bob).exists()

    response = lead_client.post(reverse("rota-members", args=["web"]), {"order": str(bob.id), "confirmed": "yes"})
    assert response.status_code == 302
    assert list(Rota.objects.get().current_members()) == [bob]
    assert team.on_call_at(WEDNESDAY) == bob
    assert NotificationAttempt.objects.filter(page=ticket.page, member=bob).exists()
    assert PageEvent.objects.filter(page=ticket.page, message__contains="moved to Bob").exists()


@pytest.mark.django_db
def test_adding_member_shows_preview(lead_client, team, alice, bob, charlie, now):
    response = lead_client.post(reverse("rota-members", args=["web"]), {f"position_{alice.id}": "1", f"position_{bob.id}": "2", "add": charlie.id})
    html = response.content.decode()
    assert "is on call now" not in html
    assert "Save the change" in html
    assert "Charlie: 09:00 on Monday 21 December 2026 (UK time)" in html


@pytest.mark.django_db
def test_swap_request_and_accept(client, django_user_model, team, alice, bob, now):
    login(client, django_user_model, alice)
    response = client.post(
        reverse("swap-new", args=[team.rota.id]),
        {"kind": "cover", "counterpart": bob.id, "give_starts_at": "2026-12-12T09:00", "give_ends_at": "2026-12-13T09:00", "note": "Wedding"},
    )
    assert response.status_code == 302
    swap = SwapRequest.objects.get()
    assert swap.status == SwapRequest.Status.PENDING
    assert NotificationAttempt.objects.filter(member=bob, purpose="notice", title__contains="cover").exists()
    # Alice cannot answer her own request.
    client.post(reverse("swap-accept", args=[swap.id]))
    assert SwapRequest.objects.get().status == SwapRequest.Status.PENDING

    client.force_login(django_user_model.objects.create_user("bob", password="correct horse battery"))
    bob.user = django_user_model.objects.get(username="bob")
    bob.save()
    html = client.get(reverse("swaps")).content.decode()
    assert "Alice asks Bob to cover from 09:00 on Saturday 12 December 2026 (UK time)" in html
    client.post(reverse("swap-accept", args=[swap.id]))
    assert SwapRequest.objects.get().status == SwapRequest.Status.ACCEPTED
    assert team.on_call_at(utc(2026, 12, 12, 12)) == bob
    assert team.on_call_at(utc(2026, 12, 13, 12)) == alice
    assert RotaLogEntry.objects.filter(message__endswith="Accepted.").exists()


@pytest.mark.django_db
def test_swap_trade_both_ways(client, django_user_model, team, alice, bob, now):
    login(client, django_user_model, alice)
    client.post(
        reverse("swap-new", args=[team.rota.id]),
        {
            "kind": "swap", "counterpart": bob.id,
            "give_starts_at": "2026-12-12T09:00", "give_ends_at": "2026-12-14T09:00",
            "take_starts_at": "2026-12-19T09:00", "take_ends_at": "2026-12-21T09:00",
        },
    )
    from oohdesk.rota.overrides import accept_swap

    accept_swap(SwapRequest.objects.get(), WEDNESDAY, "Bob")
    assert team.on_call_at(utc(2026, 12, 13)) == bob
    assert team.on_call_at(utc(2026, 12, 20)) == alice
    assert Override.objects.count() == 2


@pytest.mark.django_db
def test_swap_outside_own_shift_rejected(client, django_user_model, team, alice, bob, now):
    login(client, django_user_model, alice)
    response = client.post(
        reverse("swap-new", args=[team.rota.id]),
        {"kind": "cover", "counterpart": bob.id, "give_starts_at": "2026-12-15T09:00", "give_ends_at": "2026-12-16T09:00"},
    )
    assert response.status_code == 400
    assert "Alice is not on call for the whole of that period" in response.content.decode()
    assert not SwapRequest.objects.exists()


@pytest.mark.django_db
def test_swap_declined_then_stale(team, alice, bob, charlie, now):
    from oohdesk.rota.overrides import RotaError, add_override, decline_swap, request_swap, accept_swap

    declined = request_swap(team.rota, alice, bob, (utc(2026, 12, 12, 9), utc(2026, 12, 13, 9)), WEDNESDAY)
    decline_swap(declined, WEDNESDAY, "Bob")
    with pytest.raises(RotaError, match="already declined"):
        accept_swap(declined, WEDNESDAY, "Bob")
    stale = request_swap(team.rota, alice, bob, (utc(2026, 12, 12, 9), utc(2026, 12, 13, 9)), WEDNESDAY)
    add_override(team.rota, charlie, utc(2026, 12, 12), utc(2026, 12, 14), WEDNESDAY, "Charlie")
    with pytest.raises(RotaError, match="not on call for the whole"):
        accept_swap(stale, WEDNESDAY + timedelta(minutes=1), "Bob")
    assert SwapRequest.objects.get(id=stale.id).status == SwapRequest.Status.PENDING


@pytest.mark.django_db
def test_backup_rota_from_ui(lead_client, team, charlie, now):
    lead_client.post(reverse("rota-backup", args=["web"]), {"mode": "rota"})
    backup = Rota.objects.get(backup_for=team)
    lead_client.post(reverse("rota-members-backup", args=["web"]), {"order": str(charlie.id), "confirmed": "yes"})
    team.refresh_from_db()
    assert team.backup_at(WEDNESDAY) == charlie
    lead_client.post(reverse("rota-backup", args=["web"]), {"mode": "next"})
    assert not Rota.objects.filter(id=backup.id).exists()


@pytest.mark.django_db
def test_health_page_and_command(lead_client, team, bob, now):
    bob.contact_methods.all().delete()
    html = lead_client.get(reverse("rota-health")).content.decode()
    assert "Bob (on the Web team rota) has no contact method that can page them." in html
    output = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("rota", "check", "--json", stdout=output)
    assert caught.value.returncode == 1
    assert [problem["code"] for problem in json.loads(output.getvalue())["problems"]] == ["no_contact_method"]


@pytest.mark.django_db
def test_rota_check_command_finds_gap(team, alice, bob, now):
    from oohdesk.rota.changes import change_rota

    change_rota(team.rota, WEDNESDAY, "test", members=[])
    output = StringIO()
    with pytest.raises(CommandError):
        call_command("rota", "check", "--team", "web", "--at", "2026-12-09T10:00", stdout=output)
    text = output.getvalue()
    assert "Nobody is on call on the Web team rota. From 10:00 on Wednesday 9 December 2026 (UK time)" in text
    assert "The Web team rota has no members" in text


@pytest.mark.django_db
def test_profile_zone_and_feed(client, django_user_model, team, alice, now):
    login(client, django_user_model, alice)
    html = client.get(reverse("profile")).content.decode()
    assert "/calendar/" in html
    response = client.post(reverse("profile"), {"action": "zone", "time_zone": "Mars/Olympus"})
    assert "is not an IANA time zone" in response.content.decode()
    client.post(reverse("profile"), {"action": "zone", "time_zone": "Asia/Tokyo"})
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Tokyo"
    old_key = alice.calendar_feed.key
    client.post(reverse("profile"), {"action": "reset_feed"})
    alice.calendar_feed.refresh_from_db()
    assert alice.calendar_feed.key != old_key
