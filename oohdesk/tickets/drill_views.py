"""The staff page that starts drills, and the drill's own report form."""

import logging

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from oohdesk import links
from oohdesk.rota.models import Team
from oohdesk.security.access import staff_required
from oohdesk.tickets.drills import DrillForm, start_drill
from oohdesk.tickets.models import Drill
from oohdesk.tickets.views import show_report_form
from oohdesk.zones import format_local

logger = logging.getLogger(__name__)
RECENT_DRILLS = 20


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def drills(request):
    """List recent drills and start a new one."""
    form = DrillForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        drill = start_drill(
            form.cleaned_data["team"], form.cleaned_data["member"], form.cleaned_data["label"], request.user, timezone.now()
        )
        logger.info("drill started drill=%s member=%s", drill.id, drill.member_id)
        messages.success(request, f"Drill started. Only {drill.member.name} will be paged by its reports.")
        return redirect("drills")
    now = timezone.now()
    visible = Drill.objects.select_related("member", "team__calendar").prefetch_related("tickets")
    if not request.user.is_staff:
        visible = visible.filter(created_by=request.user)
    rows = [
        {
            "drill": drill,
            "url": links.absolute(drill_path(drill)),
            "open": drill.is_open(now),
            "expires": format_local(drill.expires_at, drill.team.calendar.zone),
        }
        for drill in visible[:RECENT_DRILLS]
    ]
    return render(request, "tickets/drills.html", {"form": form, "rows": rows}, status=400 if form.errors else 200)


def drill_path(drill: Drill) -> str:
    return reverse("drill-report", args=[drill.token])


def drill_report(request, token: str):
    """Show the Issue Report form of a drill: the same form, labelled as a drill, paging only the chosen person."""
    drill = Drill.objects.select_related("team", "member").filter(token=token).first()
    if drill is None or not drill.is_open(timezone.now()):
        return render(request, "tickets/link_invalid.html", status=404)
    return show_report_form(request, drill.team, several_teams=Team.objects.count() > 1, drill=drill)
