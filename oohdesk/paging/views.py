"""Acknowledging from signed links and notification buttons, test pages, contact methods, and the demo phone."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from oohdesk import links
from oohdesk.paging.acks import acknowledge_attempt
from oohdesk.paging.escalation import acknowledge, route_label
from oohdesk.paging.models import DemoPhoneMessage, NotificationAttempt, Page, TestPage
from oohdesk.paging.models import ContactMethod
from oohdesk.paging.testpages import NoUsableMethod, confirm_test_page, last_confirmed, send_test_page
from oohdesk.paging.verification import VerificationError, check_code, send_code
from oohdesk.rota.models import Member
from oohdesk.security.access import staff_required
from oohdesk.tickets.action_forms import panel_context, perform
from oohdesk.tickets.actions import ActionError, Actor
from oohdesk.zones import format_local, zone_label

logger = logging.getLogger(__name__)

# The phone page reloads every 2 seconds, so it shows only the newest messages.
PHONE_MESSAGE_LIMIT = 50


def _page_and_member(token: str) -> tuple[Page | None, Member | None]:
    try:
        page_id, member_id = links.read_ack_token(token)
    except signing.BadSignature as error:
        # SignatureExpired subclasses BadSignature. The token itself is not logged.
        logger.info("acknowledgement link rejected reason=%s", type(error).__name__)
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

    A link opens its page only while the page waits for an acknowledgement,
    or for the member who acknowledged it, who may go on to defer or resolve
    the ticket. Any other link to an acknowledged page, like a tampered,
    expired or unknown one, gets the same neutral 404, so a link reveals
    nothing about a ticket after it has done its job.
    """
    page, member = _page_and_member(token)
    if page is None or not _link_usable(page, member):
        return _link_invalid(request)
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


@csrf_exempt
@require_POST
def ack_action(request, token: str):
    """Acknowledge on a bare POST from a button inside a notification (an ntfy action).

    The signed token names one attempt, so it stands in for a login and a CSRF token.
    """
    try:
        attempt_id = links.read_ack_action_token(token)
    except signing.BadSignature as error:
        logger.info("acknowledgement action rejected: %s", type(error).__name__)
        return HttpResponse("This acknowledgement link is invalid or has expired.", status=404)
    attempt = get_object_or_404(NotificationAttempt.objects.select_related("member"), id=attempt_id)
    result = acknowledge_attempt(attempt, timezone.now(), via=attempt.channel)
    return HttpResponse(result.message)


@require_http_methods(["GET", "HEAD", "POST"])
def test_page_confirm(request, token: str):
    """Show a test page with one Confirm button, and confirm it on POST (a GET never confirms, for mail scanners)."""
    try:
        test_page_id = links.read_test_page_token(token)
    except signing.BadSignature:
        return render(request, "paging/link_invalid.html", status=404)
    test_page = get_object_or_404(TestPage.objects.select_related("member"), id=test_page_id)
    result = None
    if request.method == "POST":
        result = confirm_test_page(test_page.id, timezone.now(), via="link")
        test_page.refresh_from_db()
    return render(request, "paging/test_page_confirm.html", {"test_page": test_page, "result": result})


def _link_usable(page: Page, member: Member | None) -> bool:
    if page.status == Page.Status.TRIGGERED:
        return True
    return member is not None and page.acknowledged_by_id == member.id


def _link_invalid(request):
    return render(request, "paging/link_invalid.html", status=404)


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


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def contact_methods(request):
    """The signed-in member's contact methods: verify each with a code, and send a test page."""
    member = getattr(request.user, "member", None)
    if member is None:
        return render(request, "paging/contact_methods.html", {"member": None}, status=404)
    if request.method == "POST":
        _contact_method_action(request, member)
        return redirect("contact-methods")
    methods = list(member.contact_methods.order_by("position", "id"))
    last_test = last_confirmed(member)
    context = {
        "member": member,
        "methods": methods,
        "rules": list(member.notification_rules.select_related("contact_method").order_by("priority", "position")),
        "last_test": last_test,
        "last_test_at": format_local(last_test.confirmed_at, member.zone) if last_test else "",
        "last_test_via": route_label(last_test.confirmed_via) if last_test else "",
    }
    return render(request, "paging/contact_methods.html", context)


def _contact_method_action(request, member: Member) -> None:
    now = timezone.now()
    action = request.POST.get("action", "")
    if action == "test_page":
        try:
            send_test_page(member, now)
        except NoUsableMethod as error:
            messages.error(request, str(error))
            return
        messages.success(request, "Test page sent through your P1 rules. Acknowledge it when it arrives.")
        return
    method_id = request.POST.get("method", "")
    method = ContactMethod.objects.filter(id=int(method_id), member=member).first() if method_id.isdigit() else None
    if method is None:
        messages.error(request, "That contact method was not found; reload the page and try again.")
        return
    try:
        if action == "send_code":
            send_code(method, now)
            messages.success(request, f"Code sent to {method.masked_address}. Enter it below.")
        elif action == "verify":
            check_code(method, request.POST.get("code", ""), now)
            messages.success(request, f"{method.kind} {method.masked_address} is verified and can now page you.")
        else:
            messages.error(request, "Unknown action; reload the page and try again.")
    except VerificationError as error:
        messages.error(request, str(error))
