"""Acknowledging a page from a signed link, and the demo phone that shows a member's notifications."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from oohdesk import links
from oohdesk.paging.escalation import acknowledge
from oohdesk.paging.models import DemoPhoneMessage, Page
from oohdesk.rota.models import Member
from oohdesk.tickets.action_forms import panel_context, perform
from oohdesk.tickets.actions import ActionError, Actor
from oohdesk.zones import zone_label

logger = logging.getLogger(__name__)

# The phone page reloads every 2 seconds, so it shows only the newest messages.
PHONE_MESSAGE_LIMIT = 50


def _page_and_member(token: str) -> tuple[Page | None, Member | None]:
    try:
        page_id, member_id = links.read_ack_token(token)
    except signing.BadSignature as error:
        # SignatureExpired subclasses BadSignature. The token itself is not logged.
        logger.info("acknowledgement link rejected: %s", type(error).__name__)
        return None, None
    page = Page.objects.select_related("ticket", "acknowledged_by").filter(id=page_id).first()
    member = Member.objects.filter(id=member_id).first() if member_id else None
    return page, member


@require_http_methods(["GET", "HEAD", "POST"])
def ack_link(request, token: str):
    """Show the page with an Acknowledge button and the ticket's other actions, and carry them out on POST.

    Mail scanners fetch links with GET to check them, so a GET must never
    change anything. The link stands for the member it was sent to, so the
    audit trail names them with the channel "link".
    """
    page, member = _page_and_member(token)
    if page is None:
        return render(request, "paging/link_invalid.html", status=404)
    result, failure, action = None, None, ""
    if request.method == "POST":
        action = request.POST.get("action", "acknowledge")
        if action == "acknowledge":
            result = acknowledge(page.id, timezone.now(), member, via="link")
        else:
            failure = _act_from_link(request, page, member, action)
            if failure is None:
                return redirect("page-ack-link", token=token)
        page.refresh_from_db()
        page.ticket.refresh_from_db()
    context = {
        "page": page,
        "ticket": page.ticket,
        "result": result,
        "action_url": request.path,
        **panel_context(page.ticket, failure, action, request.POST),
    }
    return render(request, "paging/ack_link.html", context, status=400 if failure else 200)


def _act_from_link(request, page: Page, member: Member | None, action: str) -> ActionError | None:
    """Carry out a ticket action posted from a page link; return the error, or None after success."""
    actor = Actor.for_member(member) if member else Actor()
    try:
        outcome = perform(request.POST, page.ticket, timezone.now(), actor, "link")
    except ActionError as error:
        logger.info("ticket action rejected ticket=%s action=%s field=%s", page.ticket.ref, action, error.field)
        return error
    messages.success(request, outcome.message)
    return None


def may_see_phone(user, member: Member) -> bool:
    """Return whether ``user`` may open ``member``'s demo phone: their own, or any for staff."""
    return user.is_staff or (member.user_id is not None and member.user_id == user.id)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def demo_phone(request, member_id: int):
    member = get_object_or_404(Member, id=member_id)
    if not may_see_phone(request.user, member):
        return render(request, "paging/phone_forbidden.html", status=403)
    if request.method == "POST":
        return _acknowledge_from_phone(request, member)
    rows = list(
        member.demo_phone_messages.select_related("page__ticket", "page__acknowledged_by")[: PHONE_MESSAGE_LIMIT + 1]
    )
    context = {
        "member": member,
        "notifications": [_phone_row(row, member) for row in rows[:PHONE_MESSAGE_LIMIT]],
        "more": len(rows) > PHONE_MESSAGE_LIMIT,
        "clock": f"{timezone.now().astimezone(member.zone):%H:%M}",
        "zone_name": zone_label(member.zone),
    }
    return render(request, "paging/demo_phone.html", context)


def _phone_row(message: DemoPhoneMessage, member: Member) -> dict:
    local = message.received_at.astimezone(member.zone)
    page = message.page
    return {
        "message": message,
        "received": f"{local:%H:%M:%S}, {local:%a} {local.day} {local:%b}",
        "can_acknowledge": message.urgent and page is not None and page.status == Page.Status.TRIGGERED,
        "page_state": _page_state(page),
    }


def _page_state(page: Page | None) -> str:
    if page is None or page.status == Page.Status.TRIGGERED:
        return ""
    if page.status == Page.Status.ACKNOWLEDGED:
        acknowledger = page.acknowledged_by.name if page.acknowledged_by else "a staff member"
        return f"Acknowledged by {acknowledger}"
    return "Resolved"


def _acknowledge_from_phone(request, member: Member):
    message_id = request.POST.get("message", "")
    if not message_id.isdigit():
        messages.error(request, "That notification was not found; it may have been deleted.")
        return redirect("demo-phone", member_id=member.id)
    message = get_object_or_404(DemoPhoneMessage, id=int(message_id), member=member, page__isnull=False)
    result = acknowledge(message.page_id, timezone.now(), member, via="demo_phone")
    level = messages.SUCCESS if result.accepted else messages.INFO
    messages.add_message(request, level, result.message)
    return redirect("demo-phone", member_id=member.id)
