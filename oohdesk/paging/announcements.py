"""Announcements of a page to team chat channels and outgoing webhooks.

They tell the team what is happening ("P1 from Acme Widgets, paged Alice").
They never replace a page to a person, and they are sent even after the page is
acknowledged, because the acknowledgement is itself announced.
"""

from datetime import datetime

from django.db.models import Q

from oohdesk.paging.models import AnnouncementChannel, NotificationAttempt, Page

STEP_STARTED = "page.step_started"
ACKNOWLEDGED = "page.acknowledged"


def queue_announcements(page: Page, event: str, text: str, at: datetime) -> int:
    """Queue ``text`` for every announcement channel of the page's team; return how many were queued."""
    channels = AnnouncementChannel.objects.filter(Q(team=page.team) | Q(team__isnull=True))
    queued = 0
    for channel in channels:
        NotificationAttempt.objects.create(
            page=page,
            announcement_channel=channel,
            purpose=NotificationAttempt.Purpose.ANNOUNCEMENT,
            event=event,
            channel=channel.kind,
            destination=channel.name[:200],
            step_index=page.step_index,
            round=page.round,
            title=text[:200],
            body=text,
            due_at=at,
            created_at=at,
        )
        queued += 1
    return queued


def step_text(page: Page, names: list[str]) -> str:
    ticket = page.ticket
    return f"{ticket.priority} from {ticket.organisation}, paged {', '.join(names)}: {ticket.summary} ({ticket.ref})"


def acknowledged_text(page: Page, who: str, route: str) -> str:
    ticket = page.ticket
    return f"{ticket.priority} from {ticket.organisation} acknowledged by {who} through {route} ({ticket.ref})"
