"""Write the stored configuration as a document in the configuration file's format.

Applying the exported document changes nothing. Every key is written, defaults
included, with these exceptions. A team's lead, rota and backup rota, a
calendar's region, closures and one-off openings, and a policy's response
targets are left out when there are none, and so is an override's note when
it is empty. An email contact method's address is left out when it is the
member's own email.
"""

from oohdesk.configuration.values import (
    format_clock_time,
    format_duration,
    format_handover_notice,
    format_local_instant,
    format_opening,
)
from oohdesk.hours.models import WEEKDAYS, BusinessCalendar
from oohdesk.paging.models import AnnouncementChannel, EscalationPolicy
from oohdesk.rota.models import Member, Rota, Team


def export_config() -> dict:
    """Return calendars and policies ordered by slug, members by email, teams by slug, and any announcement channels by slug."""
    exported = {
        "calendars": [export_calendar(calendar) for calendar in BusinessCalendar.objects.order_by("slug")],
        "escalation_policies": [export_policy(policy) for policy in EscalationPolicy.objects.order_by("slug")],
        "members": [export_member(member) for member in Member.objects.order_by("email")],
        "teams": [export_team(team) for team in Team.objects.select_related("calendar", "escalation_policy", "lead").order_by("slug")],
    }
    announcements = AnnouncementChannel.objects.select_related("team").order_by("slug")
    if announcements:
        exported["announcement_channels"] = [export_announcement(channel) for channel in announcements]
    return exported


def export_calendar(calendar: BusinessCalendar) -> dict:
    hours: dict[str, list[str]] = {}
    for opening in calendar.openings.order_by("weekday", "opens"):
        hours.setdefault(WEEKDAYS[opening.weekday], []).append(format_opening(opening.opens, opening.closes))
    exported = {"slug": calendar.slug, "name": calendar.name, "time_zone": calendar.time_zone}
    if calendar.country:
        exported["region"] = {"country": calendar.country}
        if calendar.subdivision:
            exported["region"]["subdivision"] = calendar.subdivision
    exported["opening_hours"] = hours
    closures = [export_closure(row) for row in calendar.closures.order_by("first_day", "last_day", "id")]
    if closures:
        exported["closures"] = closures
    one_off_openings = export_one_off_openings(calendar)
    if one_off_openings:
        exported["one_off_openings"] = one_off_openings
    return exported


def export_closure(row) -> dict:
    exported = {"name": row.name, "first_day": row.first_day.isoformat()}
    if row.last_day != row.first_day:
        exported["last_day"] = row.last_day.isoformat()
    return exported


def export_one_off_openings(calendar: BusinessCalendar) -> list[dict]:
    """Return one entry per date and name, ordered by date and then by each entry's first opening."""
    entries: dict = {}
    for row in calendar.one_off_openings.order_by("date", "opens"):
        entry = entries.setdefault((row.date, row.name), {"date": row.date.isoformat(), "name": row.name, "hours": []})
        entry["hours"].append(format_opening(row.opens, row.closes))
    return list(entries.values())


def export_policy(policy: EscalationPolicy) -> dict:
    exported = {
        "slug": policy.slug,
        "name": policy.name,
        "ack_timeout": {"P1": format_duration(policy.p1_ack_timeout), "P2": format_duration(policy.p2_ack_timeout)},
        "repeat": policy.repeat_count,
        "steps": [step.target for step in policy.steps.order_by("position")],
    }
    targets = {
        priority: format_duration(seconds)
        for priority in ("P1", "P2", "P3")
        if (seconds := policy.response_target(priority)) is not None
    }
    if targets:
        exported["response_target"] = targets
    return exported


def export_member(member: Member) -> dict:
    return {
        "name": member.name,
        "email": member.email,
        "time_zone": member.time_zone,
        "admin": member.is_admin,
        "contact_methods": [export_contact_method(method, member.email) for method in member.contact_methods.order_by("position", "id")],
        **export_rules(member),
    }


def export_rules(member: Member) -> dict:
    """Return {"notification_rules": {...}} when the member has rules, else nothing."""
    rules: dict[str, list[dict]] = {}
    for rule in member.notification_rules.select_related("contact_method").order_by("priority", "position"):
        entry = {"kind": rule.contact_method.kind}
        if member.contact_methods.filter(kind=rule.contact_method.kind).count() > 1:
            entry["address"] = rule.contact_method.address
        entry["delay"] = format_duration(rule.delay_seconds)
        rules.setdefault(rule.priority, []).append(entry)
    return {"notification_rules": rules} if rules else {}


def export_announcement(channel: AnnouncementChannel) -> dict:
    exported = {"slug": channel.slug, "name": channel.name, "kind": channel.kind, "url": channel.url}
    if channel.secret:
        exported["secret"] = channel.secret
    if channel.team is not None:
        exported["team"] = channel.team.slug
    return exported


def export_contact_method(method, member_email: str) -> dict:
    exported = {"kind": method.kind}
    if method.address and method.address != member_email:
        exported["address"] = method.address
    exported["delay"] = format_duration(method.delay_seconds)
    return exported


def export_team(team: Team) -> dict:
    exported = {
        "slug": team.slug,
        "name": team.name,
        "calendar": team.calendar.slug,
        "escalation_policy": team.escalation_policy.slug,
    }
    if team.lead is not None:
        exported["lead"] = team.lead.email
    rota = Rota.objects.filter(team=team).first()
    if rota is not None:
        exported["rota"] = export_rota(rota)
    backup_rota = Rota.objects.filter(backup_for=team).first()
    if backup_rota is not None:
        exported["backup_rota"] = export_rota(backup_rota)
    return exported


def export_rota(rota: Rota) -> dict:
    return {
        "time_zone": rota.time_zone,
        "handover": {"weekday": WEEKDAYS[rota.handover_weekday], "time": format_clock_time(rota.handover_time)},
        "start_date": rota.start_date.isoformat(),
        "members": [row.member.email for row in rota.memberships.select_related("member").order_by("position")],
        "handover_notice": format_handover_notice(rota.handover_notice, rota.handover_notice_seconds),
        "overrides": [export_override(override, rota.time_zone) for override in rota.active_overrides()],
    }


def export_override(override, zone_name: str) -> dict:
    exported = {
        "member": override.member.email,
        "start": format_local_instant(override.starts_at, zone_name),
        "end": format_local_instant(override.ends_at, zone_name),
    }
    if override.note:
        exported["note"] = override.note
    return exported
