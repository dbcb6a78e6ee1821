"""Fixtures that start each fake provider and point oohdesk's settings at it.

Import the fixtures a test module needs, such as ``from fakes.fixtures import pushover``.
"""

import secrets

import pytest
from django.utils import timezone

from fakes.ntfy import FakeNtfy, FakeReceiver
from fakes.pushover import FakePushover, user_key
from fakes.twilio import FakeTwilio
from oohdesk.paging.models import ContactMethod

TWILIO_NUMBER = "+441234567890"


@pytest.fixture
def pushover(settings):
    with FakePushover(app_token="a" + secrets.token_hex(15)[:29]) as fake:
        settings.OOHDESK_PUSHOVER_API_URL = fake.url
        settings.OOHDESK_PUSHOVER_APP_TOKEN = fake.app_token
        yield fake


@pytest.fixture
def twilio(settings):
    with FakeTwilio(account_sid="AC" + secrets.token_hex(16), auth_token=secrets.token_hex(16)) as fake:
        settings.OOHDESK_TWILIO_API_URL = fake.url
        settings.OOHDESK_TWILIO_ACCOUNT_SID = fake.account_sid
        settings.OOHDESK_TWILIO_AUTH_TOKEN = fake.auth_token
        settings.OOHDESK_TWILIO_FROM_NUMBER = TWILIO_NUMBER
        yield fake


@pytest.fixture
def ntfy(settings):
    with FakeNtfy(token="tk_" + secrets.token_hex(8)) as fake:
        settings.OOHDESK_NTFY_URL = fake.url
        settings.OOHDESK_NTFY_TOKEN = fake.token
        yield fake


@pytest.fixture
def receiver():
    with FakeReceiver() as fake:
        yield fake


@pytest.fixture
def callbacks(live_server, settings):
    """Serve oohdesk on 127.0.0.1 so fake providers can call back, and build callback URLs from it."""
    settings.OOHDESK_BASE_URL = live_server.url
    return live_server


def add_method(member, kind: str, address: str, delay: int = 0, verified: bool = True) -> ContactMethod:
    """Give ``member`` a contact method after their existing ones, verified unless told otherwise."""
    position = member.contact_methods.count()
    return ContactMethod.objects.create(
        member=member, kind=kind, address=address, delay_seconds=delay, position=position,
        verified_at=timezone.now() if verified else None,
    )


def only_method(member, kind: str, address: str, verified: bool = True) -> ContactMethod:
    member.contact_methods.all().delete()
    return add_method(member, kind, address, verified=verified)


def pushover_user(fake: FakePushover) -> str:
    key = user_key()
    fake.users.add(key)
    return key
