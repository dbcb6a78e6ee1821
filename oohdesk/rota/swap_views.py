"""Swap and cover requests in the web UI: ask, accept, decline and cancel.

A member asks for one of their own shifts; only the member asked may accept
or decline, and only the requester may cancel. Staff see every request.
"""

from datetime import timedelta

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from oohdesk.rota.forms import SwapForm
from oohdesk.rota.models import Rota, SwapRequest
from oohdesk.rota.overrides import RotaError, accept_swap, cancel_swap, decline_swap, describe_swap, request_swap
from oohdesk.rota.views import actor_name, segment_rows, viewer_of
from oohdesk.security.access import staff_required
from oohdesk.zones import zone_label

RECENT_COUNT = 30
UPCOMING_DAYS = 56


def _rows(swaps, zone):
    return [(swap, describe_swap(swap, zone)) for swap in swaps]


@staff_required
def swap_list(request):
    viewer = viewer_of(request)
    if viewer is None and not request.user.is_staff:
        return render(request, "rota/no_member.html", status=404)
    zone = viewer.zone if viewer else timezone.get_default_timezone()
    swaps = SwapRequest.objects.select_related("rota__team", "rota__backup_for", "requester", "counterpart")
    context = {"zone_name": zone_label(zone), "viewer": viewer}
    if viewer is not None:
        context["incoming"] = _rows(swaps.filter(counterpart=viewer, status=SwapRequest.Status.PENDING), zone)
        context["outgoing"] = _rows(swaps.filter(requester=viewer, status=SwapRequest.Status.PENDING), zone)
        mine = swaps.filter(Q(requester=viewer) | Q(counterpart=viewer))
        context["recent"] = _rows(mine.exclude(status=SwapRequest.Status.PENDING)[:RECENT_COUNT], zone)
        context["rotas"] = Rota.objects.filter(memberships__member=viewer).select_related("team", "backup_for")
    if request.user.is_staff:
        context["everyone"] = _rows(swaps[:RECENT_COUNT], zone)
    return render(request, "rota/swaps.html", context)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def swap_new(request, rota_id: int):
    viewer = viewer_of(request)
    rota = get_object_or_404(Rota.objects.select_related("team", "backup_for"), id=rota_id)
    if viewer is None or viewer not in rota.current_members():
        messages.error(request, "Only members of this rota can ask for a swap on it.")
        return redirect("swaps")
    zone = viewer.zone
    now = timezone.now()
    others = [member for member in rota.current_members() if member != viewer]
    form = SwapForm(request.POST or None, members=others, zone=zone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        take = (data["take_starts_at"], data["take_ends_at"]) if data["kind"] == "swap" else None
        try:
            request_swap(rota, viewer, data["counterpart"], (data["give_starts_at"], data["give_ends_at"]), now, take, data["note"])
        except RotaError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Request sent to {data['counterpart'].name}.")
            return redirect("swaps")
    upcoming = rota.segments(now, now + timedelta(days=UPCOMING_DAYS), clip=False)
    context = {"rota": rota, "form": form, "zone_name": zone_label(zone), "upcoming": segment_rows(upcoming, zone, now)}
    return render(request, "rota/swap_form.html", context, status=400 if form.errors else 200)


def _answer(request, swap_id: int, action, allowed) -> SwapRequest | None:
    swap = get_object_or_404(SwapRequest.objects.select_related("rota", "requester", "counterpart"), id=swap_id)
    viewer = viewer_of(request)
    if viewer is None or viewer != allowed(swap):
        messages.error(request, "Only the member asked can answer this request, and only its requester can cancel it.")
        return None
    try:
        action(swap, timezone.now(), actor_name(request), request.user)
    except RotaError as error:
        messages.error(request, error.message)
        return None
    return swap


@staff_required
@require_POST
def swap_accept(request, swap_id: int):
    if _answer(request, swap_id, accept_swap, lambda swap: swap.counterpart):
        messages.success(request, "Accepted: the rota now shows the change.")
    return redirect("swaps")


@staff_required
@require_POST
def swap_decline(request, swap_id: int):
    if _answer(request, swap_id, decline_swap, lambda swap: swap.counterpart):
        messages.success(request, "Declined; the requester has been told.")
    return redirect("swaps")


@staff_required
@require_POST
def swap_cancel(request, swap_id: int):
    if _answer(request, swap_id, cancel_swap, lambda swap: swap.requester):
        messages.success(request, "Request cancelled.")
    return redirect("swaps")
