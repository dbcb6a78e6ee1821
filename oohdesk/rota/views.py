"""Rota pages: who is on call over the coming weeks, overrides, member changes, the backup, health and feeds.

Staff manage overrides, members, the backup and team feeds. Every signed-in
member may view the rotas, and sets their own time zone and feed on the
profile page.
Times are shown in the viewer's zone when their user is linked to a Member,
otherwise in the rota's zone, always with the zone named.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from oohdesk.paging.models import Page
from oohdesk.rota import feeds, health
from oohdesk.rota.changes import change_rota
from oohdesk.rota.forms import OverrideForm, ZoneForm
from oohdesk.rota.models import CalendarFeed, Member, Override, Rota, Team
from oohdesk.rota.overrides import RotaError, add_override, remove_override
from oohdesk.security.access import staff_required
from oohdesk.zones import format_local, zone_label

UPCOMING_WEEKS = 8
PREVIEW_WEEKS = 6
LOG_LENGTH = 50


def viewer_of(request) -> Member | None:
    return getattr(request.user, "member", None)


def actor_name(request) -> str:
    viewer = viewer_of(request)
    return viewer.name if viewer else request.user.get_username()


def zone_for(request, rota: Rota | None = None):
    viewer = viewer_of(request)
    if viewer is not None:
        return viewer.zone
    return rota.zone if rota else timezone.get_default_timezone()


def require_staff(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied("Only staff can change the rota.")


@dataclass(frozen=True)
class SegmentRow:
    member: Member
    start: str
    end: str
    source: str
    is_now: bool


def segment_rows(segments, zone, at: datetime) -> list[SegmentRow]:
    return [
        SegmentRow(segment.member, format_local(segment.start, zone), format_local(segment.end, zone), segment.source, segment.start <= at < segment.end)
        for segment in segments
    ]


def _team(slug: str) -> Team:
    return get_object_or_404(Team.objects.select_related("calendar", "lead", "escalation_policy"), slug=slug)


def _rota_of(team: Team, which: str) -> Rota:
    rota = getattr(team, "backup_rota" if which == "backup" else "rota", None)
    if rota is None:
        raise Http404("This team has no such rota.")
    return rota


@staff_required
def overview(request):
    now = timezone.now()
    viewer = viewer_of(request)
    cards = []
    for team in Team.objects.select_related("calendar", "lead", "escalation_policy").order_by("name"):
        rota = getattr(team, "rota", None)
        zone = zone_for(request, rota)
        current = team.on_call_segment(now)
        following = rota.next_segment(now) if rota else None
        backup = team.backup_at(now)
        cards.append(
            {
                "team": team,
                "has_rota": rota is not None,
                "now": current,
                "now_until": format_local(current.end, zone) if current else "",
                "next": following,
                "next_from": format_local(following.start, zone) if following else "",
                "backup": backup,
                "problems": len(health.team_problems(team, now)),
            }
        )
    mine = []
    if viewer is not None:
        for rota in Rota.objects.select_related("team", "backup_for"):
            for segment in rota.segments(now, now + timedelta(weeks=UPCOMING_WEEKS), clip=False):
                if segment.member == viewer:
                    mine.append((rota, segment_rows([segment], viewer.zone, now)[0]))
        mine.sort(key=lambda item: item[1].start)
    context = {"cards": cards, "mine": mine, "zone_name": zone_label(zone_for(request))}
    return render(request, "rota/overview.html", context)


@staff_required
def team_rota(request, slug: str):
    team = _team(slug)
    now = timezone.now()
    rota = getattr(team, "rota", None)
    zone = zone_for(request, rota)
    end = now + timedelta(weeks=UPCOMING_WEEKS)
    sections = []
    for label, which in (("Rota", "primary"), ("Backup rota", "backup")):
        current = getattr(team, "backup_rota" if which == "backup" else "rota", None)
        if current is None:
            continue
        overrides = current.overrides.filter(ends_at__gt=now).select_related("member").order_by("starts_at", "id")
        sections.append(
            {
                "label": label,
                "which": which,
                "rota": current,
                "members": current.current_members(),
                "segments": segment_rows(current.segments(now, end, clip=False), zone, now),
                "overrides": [(override, format_local(override.starts_at, zone), format_local(override.ends_at, zone)) for override in overrides],
                "log": [(format_local(entry.at, zone), entry) for entry in current.log.all()[:LOG_LENGTH]],
            }
        )
    feed = CalendarFeed.objects.filter(team=team).first() if request.user.is_staff else None
    context = {
        "team": team,
        "sections": sections,
        "zone_name": zone_label(zone),
        "weeks": UPCOMING_WEEKS,
        "problems": health.team_problems(team, now),
        "backup": team.backup_at(now),
        "feed_url": feeds.feed_url(feed) if feed else "",
    }
    return render(request, "rota/team.html", context)


def _ends_in_future(form) -> bool:
    """Reject an override that has already ended: past shifts are history, and reports count them."""
    if form.cleaned_data["ends_at"] > timezone.now():
        return True
    form.add_error("ends_at", "This override would end in the past, and past shifts cannot be changed. Choose an end after now.")
    return False


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def override_new(request, slug: str, which: str = "primary"):
    require_staff(request)
    team = _team(slug)
    rota = _rota_of(team, which)
    zone = zone_for(request, rota)
    members = list(Member.objects.order_by("name"))
    form = OverrideForm(request.POST or None, members=members, zone=zone)
    if request.method == "POST" and form.is_valid() and _ends_in_future(form):
        data = form.cleaned_data
        try:
            add_override(rota, data["member"], data["starts_at"], data["ends_at"], timezone.now(), actor_name(request), data["note"], request.user)
        except RotaError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"{data['member'].name} is on call {format_local(data['starts_at'], zone)} to {format_local(data['ends_at'], zone)}.")
            return redirect("rota-team", slug=team.slug)
    context = {"team": team, "rota": rota, "form": form, "zone_name": zone_label(zone)}
    return render(request, "rota/override_form.html", context)


@staff_required
@require_POST
def override_remove(request, override_id: int):
    require_staff(request)
    override = get_object_or_404(Override.objects.select_related("rota__team", "rota__backup_for", "member"), id=override_id)
    team = override.rota.owner
    remove_override(override, timezone.now(), actor_name(request))
    messages.success(request, f"Override for {override.member.name} removed.")
    return redirect("rota-team", slug=team.slug)


class _PreviewDone(Exception):
    def __init__(self, result, segments):
        super().__init__("preview")
        self.result = result
        self.segments = segments


def preview_change(rota: Rota, members: list[Member], at: datetime):
    """Return (result, segments) of changing the rota's members at ``at``, without storing anything."""
    try:
        with transaction.atomic():
            result = change_rota(rota, at, "preview", members=members)
            segments = Rota.objects.get(pk=rota.pk).segments(at, at + timedelta(weeks=PREVIEW_WEEKS), clip=False)
            raise _PreviewDone(result, segments)
    except _PreviewDone as done:
        return done.result, done.segments


def _ordered_from_post(request, current: list[Member]) -> tuple[list[Member] | None, str]:
    """Read the members page's form: positions, removals and one addition. Return (order, problem)."""
    if request.POST.get("order"):
        ids = [int(value) for value in request.POST["order"].split(",") if value.isdigit()]
        found = {member.id: member for member in Member.objects.filter(id__in=ids)}
        if len(found) != len(ids):
            return None, "A member in the new order no longer exists; start again."
        return [found[member_id] for member_id in ids], ""
    keyed = []
    for index, member in enumerate(current):
        if request.POST.get(f"remove_{member.id}"):
            continue
        text = request.POST.get(f"position_{member.id}", str(index + 1)).strip()
        if not text.isdigit() or int(text) < 1:
            return None, f"The position of {member.name} must be a whole number from 1."
        keyed.append((int(text), index, member))
    order = [member for _position, _index, member in sorted(keyed, key=lambda item: (item[0], item[1]))]
    added = request.POST.get("add", "")
    if added:
        member = Member.objects.filter(id=int(added)).first() if added.isdigit() else None
        if member is None:
            return None, "The member to add was not found; choose one from the list."
        if member in order:
            return None, f"{member.name} is already on the rota."
        order.append(member)
    return order, ""


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def members_edit(request, slug: str, which: str = "primary"):
    """Change a rota's members and their order, showing what will change and asking to confirm first."""
    require_staff(request)
    team = _team(slug)
    rota = _rota_of(team, which)
    zone = zone_for(request, rota)
    now = timezone.now()
    current = rota.current_members()
    context = {"team": team, "rota": rota, "which": which, "members": current, "zone_name": zone_label(zone)}
    context["others"] = Member.objects.exclude(id__in=[member.id for member in current]).order_by("name")
    if request.method != "POST":
        return render(request, "rota/members.html", context)

    order, problem = _ordered_from_post(request, current)
    if problem:
        messages.error(request, problem)
        return render(request, "rota/members.html", context, status=400)
    if order == current:
        messages.info(request, "Nothing changed.")
        return redirect("rota-team", slug=team.slug)
    if request.POST.get("confirmed") != "yes":
        return _confirm_members(request, team, rota, which, order, zone, now)
    result = change_rota(rota, now, actor_name(request), members=order)
    text = "Rota members saved."
    if result.handed_over:
        leaving, taking_over = result.handed_over
        text += f" {leaving.name} was on call; {taking_over.name if taking_over else 'nobody'} is on call now."
        if result.moved_pages:
            count = len(result.moved_pages)
            text += f" {count} unacknowledged {'page' if count == 1 else 'pages'} moved to them."
    messages.success(request, text)
    return redirect("rota-team", slug=team.slug)


def _confirm_members(request, team, rota, which, order, zone, now):
    before = rota.segments(now, now + timedelta(weeks=PREVIEW_WEEKS), clip=False)
    result, after = preview_change(rota, order, now)
    context = {
        "team": team,
        "rota": rota,
        "which": which,
        "order": order,
        "order_ids": ",".join(str(member.id) for member in order),
        "before": segment_rows(before, zone, now),
        "after": segment_rows(after, zone, now),
        "handed_over": result.handed_over,
        "moved_pages": len(result.moved_pages),
        "open_pages": Page.objects.filter(team=team, status=Page.Status.TRIGGERED).count(),
        "zone_name": zone_label(zone),
    }
    return render(request, "rota/members_confirm.html", context)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def backup_edit(request, slug: str):
    """Choose the team's backup: the next member in the rota, or a backup rota of its own."""
    require_staff(request)
    team = _team(slug)
    primary = getattr(team, "rota", None)
    backup_rota = getattr(team, "backup_rota", None)
    if request.method == "POST":
        mode = request.POST.get("mode")
        if mode == "rota" and backup_rota is None:
            if primary is None:
                messages.error(request, "Give the team a rota first; a backup rota copies its handover.")
                return redirect("rota-backup", slug=team.slug)
            Rota.objects.create(
                backup_for=team, time_zone=primary.time_zone, handover_weekday=primary.handover_weekday,
                handover_time=primary.handover_time, start_date=primary.start_date, handover_notice=primary.handover_notice,
                handover_notice_seconds=primary.handover_notice_seconds,
            )
            messages.success(request, "Backup rota created with the rota's handover. Add its members now.")
            return redirect("rota-members-backup", slug=team.slug)
        if mode == "next" and backup_rota is not None:
            backup_rota.delete()
            messages.success(request, "The backup is now the next member in the rota.")
            return redirect("rota-team", slug=team.slug)
        if mode not in ("next", "rota"):
            messages.error(request, "Choose one of the two kinds of backup.")
            return redirect("rota-backup", slug=team.slug)
        return redirect("rota-team", slug=team.slug)
    context = {"team": team, "backup_rota": backup_rota}
    return render(request, "rota/backup.html", context)


@staff_required
def health_page(request):
    now = timezone.now()
    zone = zone_for(request)
    rows = [
        (problem, format_local(problem.start, zone) if problem.start else "", format_local(problem.end, zone) if problem.end else "")
        for problem in health.check(now)
    ]
    return render(request, "rota/health.html", {"rows": rows, "zone_name": zone_label(zone)})


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    """Show and change the viewer's own settings: their time zone and their calendar feed."""
    viewer = viewer_of(request)
    if viewer is None:
        return render(request, "rota/no_member.html", status=404)
    now = timezone.now()
    form = ZoneForm(request.POST or None, initial={"time_zone": viewer.time_zone})
    if request.method == "POST" and request.POST.get("action") == "zone" and form.is_valid():
        viewer.time_zone = form.cleaned_data["time_zone"]
        viewer.save(update_fields=["time_zone"])
        messages.success(request, f"Your time zone is now {viewer.time_zone}.")
        return redirect("profile")
    if request.method == "POST" and request.POST.get("action") == "reset_feed":
        feeds.reset_key(feeds.feed_of(viewer, now), now)
        messages.success(request, "Your calendar feed has a new address; the old one no longer works.")
        return redirect("profile")
    feed = feeds.feed_of(viewer, now)
    context = {"viewer": viewer, "form": form, "feed_url": feeds.feed_url(feed), "zone_name": zone_label(viewer.zone)}
    return render(request, "rota/profile.html", context)


@staff_required
@require_POST
def team_feed_reset(request, slug: str):
    """Create the team's feed, or give it a new key so the old address stops working."""
    require_staff(request)
    team = _team(slug)
    now = timezone.now()
    existing = CalendarFeed.objects.filter(team=team).first()
    if existing:
        feeds.reset_key(existing, now)
        messages.success(request, "The team's calendar feed has a new address; the old one no longer works.")
    else:
        feeds.feed_of(team, now)
        messages.success(request, "The team's calendar feed is ready; copy its address below.")
    return redirect("rota-team", slug=team.slug)


@require_http_methods(["GET", "HEAD"])
def calendar_feed(request, key: str):
    """Serve a feed by its secret key. An unknown or reset key gets 404."""
    feed = CalendarFeed.objects.select_related("member", "team").filter(key=key).first()
    if feed is None:
        return HttpResponse("No calendar feed at this address; it may have been reset.", status=404, content_type="text/plain; charset=utf-8")
    now = timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    response = HttpResponse(feeds.render(feed, now), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="oncall.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
