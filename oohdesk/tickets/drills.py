"""Drills: a private report link whose reports page only one chosen person, labelled as a drill everywhere.

A support lead can run a drill for a customer or a new developer and chooses
who receives the drill's pages. A developer can run one for themselves. The
drill's tickets and pages behave like real ones (acknowledge, defer,
resolve, the status page) but are left out of every report and of the
misuse signal.
"""

import secrets
from datetime import datetime, timedelta

from django import forms
from django.conf import settings

from oohdesk.rota.models import Member, Team
from oohdesk.tickets.models import Drill


class DrillForm(forms.Form):
    label = forms.CharField(
        label="Who is the drill for?",
        max_length=100,
        help_text="For example: Acme Widgets onboarding, or Dana's first on-call week.",
        error_messages={"required": "Enter who the drill is for."},
    )
    member = forms.ModelChoiceField(
        label="Who receives the drill's pages",
        queryset=Member.objects.none(),
        error_messages={"required": "Choose who receives the drill's pages.", "invalid_choice": "Choose a person from the list."},
    )
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.all(),
        error_messages={"required": "Choose the team the drill reports go to.", "invalid_choice": "Choose a team from the list."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = choosable_members(user)
        teams = list(Team.objects.all()[:2])
        if len(teams) == 1:
            self.fields["team"].initial = teams[0].pk
        member = getattr(user, "member", None)
        if member is not None:
            self.fields["member"].initial = member.pk


def choosable_members(user):
    """Return who ``user`` may page in a drill: anyone with a contact method for staff, else only themselves."""
    members = Member.objects.filter(contact_methods__isnull=False).distinct().order_by("name")
    if user.is_staff:
        return members
    member = getattr(user, "member", None)
    return members.filter(pk=member.pk) if member else Member.objects.none()


def start_drill(team: Team, member: Member, label: str, user, at: datetime) -> Drill:
    return Drill.objects.create(
        token=secrets.token_urlsafe(18),
        team=team,
        member=member,
        label=label,
        created_by=user,
        created_at=at,
        expires_at=at + timedelta(hours=settings.OOHDESK_DRILL_HOURS),
    )
