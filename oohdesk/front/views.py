"""Staff pages: the dashboard (who is on call, open pages, recent tickets) and each page's detail.

Times are shown in the viewer's zone when their user is linked to a Member,
otherwise in the zone of the rota or calendar concerned, always with the zone named.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from oohdesk.front import glance
from oohdesk.paging.escalation import acknowledge, route_label
from oohdesk.paging.models import Page
from oohdesk.rota import health
from oohdesk.paging.testpages import confirmation_rows
from oohdesk.rota.models import Member, Team
from oohdesk.security.access import staff_required
from oohdesk.tickets import status
from oohdesk.tickets.models import Ticket
from oohdesk.zones import format_local, zone_label

OPEN_STATUSES = [Page.Status.TRIGGERED, Page.Status.ACKNOWLEDGED]
RECENT_TICKET_COUNT = 20


def member_of(user) -> Member | None:
    """Return the Member linked to ``user``, or None for a user with no Member."""
    return getattr(user, "member", None)


def short_time(at: datetime | None, zone: ZoneInfo) -> str:
    """Format an instant compactly for tables, such as "22:03:15, Sat 5 Dec 2026 (UK time)"."""
    if at is None:
        return ""
    local = at.astimezone(zone)
    return f"{local:%H:%M:%S}, {local:%a} {local.day} {local:%b %Y} ({zone_label(zone)})"


@dataclass(frozen=True)
class OnCallRow:
    team: Team
    has_rota: bool
    now_name: str = ""
    now_until: str = ""
    now_clock: str = ""
    next_name: str = ""
    next_from: str = ""
    next_clock: str = ""


@dataclass(frozen=True)
class OpenPageRow:
    page: Page
    elapsed: str
    started: str
    step: str


@dataclass(frozen=True)
class TicketRow:
    ticket: Ticket
    state_label: str
    received: str


def on_call_row(team: Team, at: datetime, viewer: Member | None) -> OnCallRow:
    """Say who is on call for ``team`` at ``at`` and who follows, in the viewer's zone."""
    rota = getattr(team, "rota", None)
    if rota is None:
        return OnCallRow(team=team, has_rota=False)
    zone = viewer.zone if viewer else rota.zone
    current = rota.segment_at(at)
    following = rota.next_segment(at)
    return OnCallRow(
        team=team,
        has_rota=True,
        now_name=current.member.name if current else "",
        now_until=format_local(current.end, zone) if current else "",
        now_clock=glance.local_clock(current.member, at) if current else "",
        next_name=following.member.name if following else "",
        next_from=format_local(following.start, zone) if following else "",
        next_clock=glance.local_clock(following.member, at) if following else "",
    )


def step_text(page: Page) -> str:
    """Describe where a page's escalation is, for the dashboard and the page detail."""
    if page.status == Page.Status.ACKNOWLEDGED:
        acknowledger = page.acknowledged_by.name if page.acknowledged_by else "a staff member"
        return f"Acknowledged by {acknowledger} through {route_label(page.acknowledged_via)}"
    if page.status == Page.Status.RESOLVED:
        return "Resolved"
    if page.admins_alerted_at:
        return "Escalation ended: every admin has been alerted"
    steps = list(page.policy.steps.all())
    if page.step_index >= len(steps):
        return "Waiting for an acknowledgement"
    text = f"Step {page.step_index + 1} of {len(steps)}: {steps[page.step_index].get_target_display()}"
    if page.round:
        text += f" (round {page.round + 1})"
    return text


def open_page_rows(at: datetime, viewer: Member | None) -> list[OpenPageRow]:
    pages = (
        Page.objects.filter(status__in=OPEN_STATUSES)
        .select_related("ticket", "team__calendar", "acknowledged_by", "policy")
        .prefetch_related("policy__steps")
        .order_by("-created_at")
    )
    rows = []
    for page in pages:
        zone = viewer.zone if viewer else page.team.calendar.zone
        rows.append(
            OpenPageRow(
                page=page,
                elapsed=timesince(page.created_at, at),
                started=short_time(page.created_at, zone),
                step=step_text(page),
            )
        )
    return rows


def recent_ticket_rows(viewer: Member | None) -> list[TicketRow]:
    tickets = Ticket.objects.select_related("team__calendar", "page").order_by("-received_at")[:RECENT_TICKET_COUNT]
    rows = []
    for ticket in tickets:
        zone = viewer.zone if viewer else ticket.team.calendar.zone
        rows.append(
            TicketRow(
                ticket=ticket,
                state_label=status.STATE_LABELS[status.state(ticket)],
                received=short_time(ticket.received_at, zone),
            )
        )
    return rows


def visible_phones(user, viewer: Member | None) -> list[Member]:
    """Return the members with a demo phone that ``user`` may open: all for staff, else their own."""
    members = Member.objects.filter(contact_methods__kind="demo_phone").distinct().order_by("name")
    if user.is_staff:
        return list(members)
    if viewer is None:
        return []
    return list(members.filter(id=viewer.id))


def dashboard_zone(viewer: Member | None) -> ZoneInfo:
    """Return the zone whose Monday starts "this week": the viewer's, else the first team's calendar."""
    if viewer is not None:
        return viewer.zone
    team = Team.objects.select_related("calendar").order_by("id").first()
    return team.calendar.zone if team else get_zone("Europe/London")


@staff_required
def dashboard(request):
    now = timezone.now()
    viewer = member_of(request.user)
    context = {
        "on_call": [on_call_row(team, now, viewer) for team in Team.objects.select_related("rota")],
        "open_pages": open_page_rows(now, viewer),
        "held": glance.held_rows(now, viewer, short_time),
        "this_week": glance.this_week(now, dashboard_zone(viewer)),
        "recent_tickets": recent_ticket_rows(viewer),
        "phones": visible_phones(request.user, viewer),
        "test_page_rows": confirmation_rows(lambda member: viewer.zone if viewer else member.zone),
        "several_teams": Team.objects.count() > 1,
        "rota_problems": len(health.check(now)),
    }
    return render(request, "front/dashboard.html", context)


@staff_required
def page_detail(request, page_id: int):
    page = get_object_or_404(
        Page.objects.select_related("ticket", "team__calendar", "policy", "acknowledged_by"), id=page_id
    )
    viewer = member_of(request.user)
    zone = viewer.zone if viewer else page.team.calendar.zone
    events = [(short_time(event.at, zone), event) for event in page.events.select_related("member")]
    attempts = [
        (short_time(attempt.due_at, zone), short_time(attempt.sent_at, zone), attempt)
        for attempt in page.attempts.select_related("member")
    ]
    context = {
        "page": page,
        "ticket": page.ticket,
        "step": step_text(page),
        "received": short_time(page.ticket.received_at, zone),
        "acknowledged": short_time(page.acknowledged_at, zone),
        "events": events,
        "attempts": attempts,
    }
    return render(request, "front/page_detail.html", context)


@staff_required
@require_POST
def page_ack(request, page_id: int):
    """Acknowledge a page from the dashboard as the signed-in user's Member, then go back."""
    page = get_object_or_404(Page.objects.select_related("ticket"), id=page_id)
    result = acknowledge(page.id, timezone.now(), member_of(request.user), via="dashboard", user=request.user)
    level = messages.SUCCESS if result.accepted else messages.INFO
    messages.add_message(request, level, f"{page.ticket.ref}: {result.message}")
    return redirect(_safe_next(request) or "dashboard")


def _safe_next(request) -> str | None:
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else None
