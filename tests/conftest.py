"""Shared fixtures: the personas alice, bob and charlie on one team."""

from datetime import date, datetime, time, timezone

import pytest

from oohdesk.hours.models import BusinessCalendar, OpeningInterval
from oohdesk.paging.models import ContactMethod, EscalationPolicy, EscalationStep
from oohdesk.rota.models import HandoverNoticeMode, Member, Rota, RotaMembership, Team


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def calendar(db):
    """Weekdays 09:00-17:30 in Europe/London."""
    office = BusinessCalendar.objects.create(slug="office", name="Office", time_zone="Europe/London")
    for weekday in range(5):
        OpeningInterval.objects.create(calendar=office, weekday=weekday, opens=time(9), closes=time(17, 30))
    return office


@pytest.fixture
def policy(db):
    default = EscalationPolicy.objects.create(
        slug="default", name="Default", p1_ack_timeout=300, p2_ack_timeout=900, repeat_count=1
    )
    for position, target in enumerate(["on_call", "next_in_rota", "team_lead"]):
        EscalationStep.objects.create(policy=default, position=position, target=target)
    return default


def make_member(name: str, **fields) -> Member:
    member = Member.objects.create(name=name.title(), email=f"{name}@agency.example", **fields)
    ContactMethod.objects.create(member=member, kind="demo_phone", position=0)
    return member


@pytest.fixture
def alice(db):
    return make_member("alice")


@pytest.fixture
def bob(db):
    return make_member("bob")


@pytest.fixture
def charlie(db):
    return make_member("charlie", is_admin=True)


@pytest.fixture
def alice_user(django_user_model, alice):
    user = django_user_model.objects.create_user("alice", password="correct horse battery")
    alice.user = user
    alice.save()
    return user


@pytest.fixture
def team(calendar, policy, alice, bob, charlie):
    """Alice then Bob on a Monday 09:00 Europe/London rota from 5 January 2026; Charlie leads.

    Handover notices are off, so tests that count messages see only pages;
    the handover tests turn them on.
    """
    web = Team.objects.create(slug="web", name="Web team", calendar=calendar, lead=charlie, escalation_policy=policy)
    rota = Rota.objects.create(
        team=web, time_zone="Europe/London", handover_weekday=0, handover_time=time(9), start_date=date(2026, 1, 5),
        handover_notice=HandoverNoticeMode.OFF,
    )
    RotaMembership.objects.create(rota=rota, member=alice, position=0)
    RotaMembership.objects.create(rota=rota, member=bob, position=1)
    return web
