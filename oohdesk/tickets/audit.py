"""The audit trail of a ticket: every action, who took it, when and from which channel."""

from dataclasses import dataclass
from datetime import datetime

from oohdesk.tickets.models import AuditEntry, Ticket

# Display names of the channels an action comes from. A channel missing here
# (a provider's receipt or a keypress) is shown by its stored kind.
CHANNEL_LABELS = {
    "dashboard": "Dashboard",
    "link": "Link in a notification",
    "api": "JSON API",
    "demo_phone": "Demo phone",
    "email": "Email",
    "form": "Issue Report form",
    "intercom": "Intercom",
    "zendesk": "Zendesk",
    "system": "oohdesk",
    "pushover": "Pushover",
    "pushover_receipt": "Pushover receipt",
    "phone_call": "Keypress on a phone call",
    "sms_reply": "SMS reply",
    "ntfy": "ntfy button",
}


def channel_label(channel: str) -> str:
    """Return a channel's display name; an unlisted kind such as "pushover_receipt" reads "Pushover receipt"."""
    return CHANNEL_LABELS.get(channel) or channel.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Actor:
    """The person taking an action: a team member, a signed-in user, or both."""

    member: object | None = None
    user: object | None = None
    name: str = ""

    @classmethod
    def for_user(cls, user) -> "Actor":
        """Return the actor for a signed-in user, through their Member when they have one."""
        member = getattr(user, "member", None)
        return cls(member=member, user=user, name=member.name if member else user.get_username())

    @classmethod
    def for_member(cls, member) -> "Actor":
        return cls(member=member, user=member.user if member else None, name=member.name if member else "")

    @property
    def label(self) -> str:
        return self.name or "a staff member"


def record(
    ticket: Ticket,
    at: datetime,
    action: str,
    actor: Actor,
    channel: str,
    text: str = "",
    old_value: str = "",
    new_value: str = "",
) -> AuditEntry:
    """Write one audit entry; call inside the transaction that makes the change."""
    return AuditEntry.objects.create(
        ticket=ticket,
        at=at,
        action=action,
        actor_member=actor.member,
        actor_user=actor.user,
        actor_name=actor.label[:150],
        channel=channel[:32],
        text=text,
        old_value=old_value,
        new_value=new_value,
    )
