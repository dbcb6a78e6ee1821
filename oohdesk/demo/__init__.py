"""The demo team, calendar and admin login that `oohdesk serve --demo` sets up on an empty desk."""

import secrets
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from oohdesk.rota.models import Member, Team

DEMO_FILE = Path(__file__).with_name("demo.yaml")
ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "chloe@demo-agency.example"
# Developer logins, so swaps and "my shifts" can be tried as a developer; they share the admin's password.
DEVELOPER_LOGINS = {"alice": "alice@demo-agency.example", "ben": "ben@demo-agency.example"}


def load_demo() -> bool:
    """Apply the demo configuration if no team exists yet; return whether it was applied."""
    from oohdesk.configuration.apply import apply_config

    if Team.objects.exists():
        return False
    apply_config(yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8")))
    return True


def demo_admin_password() -> str:
    """Ensure the demo admin exists and return its password, generated once and kept in the data directory."""
    password_file = settings.DATA_DIR / "demo-admin-password"
    if not password_file.exists():
        password_file.write_text(secrets.token_urlsafe(9), encoding="utf-8")
        password_file.chmod(0o600)
    password = password_file.read_text(encoding="utf-8").strip()
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(username=ADMIN_USERNAME).first()
        if user is None:
            user = User.objects.create_superuser(ADMIN_USERNAME, ADMIN_EMAIL, password)
        Member.objects.filter(email=ADMIN_EMAIL, user__isnull=True).update(user=user)
        for username, email in DEVELOPER_LOGINS.items():
            _ensure_developer_login(User, username, email, password)
    return password


def _ensure_developer_login(User, username: str, email: str, password: str) -> None:
    member = Member.objects.filter(email=email).first()
    if member is None or User.objects.filter(username=username).exists():
        return
    user = User.objects.create_user(username, email, password)
    if member.user_id is None:
        member.user = user
        member.save(update_fields=["user"])
