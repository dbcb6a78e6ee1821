"""Store a configuration document: upsert calendars, policies, members and teams.

Objects are matched by slug (members by email) and only values that differ are
written, so applying the same file twice writes nothing. Objects that are stored
but missing from the file are left alone. The child lists of an object in the
file (opening hours, escalation steps, contact methods, rota members) are made to
match the file exactly. Rows that stay keep their ids, because other tables point
at contact methods and rota memberships.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from oohdesk.configuration.apply_paging import apply_announcement, sync_rules
from oohdesk.configuration.schema import (
    CalendarSpec,
    ClosureSpec,
    ContactMethodSpec,
    Existing,
    KEEP,
    MemberSpec,
    OverrideSpec,
    OneOffOpeningSpec,
    PolicySpec,
    RotaSpec,
    TeamSpec,
    parse_config,
)
from oohdesk.configuration.values import (
    format_clock_time,
    format_duration,
    format_handover_notice,
    format_local_instant,
    format_opening,
    show,
)
from oohdesk.hours.models import WEEKDAYS, BusinessCalendar, Closure, OneOffOpening, OpeningInterval
from oohdesk.paging.models import ContactMethod, EscalationPolicy, EscalationStep
from oohdesk.rota.changes import Settings, change_rota, store_order
from oohdesk.rota.models import Member, Rota, Team
from oohdesk.rota.overrides import add_override, remove_override

logger = logging.getLogger(__name__)

# Formatters for stored values in change lines, by the file key the value comes from.
DISPLAY = {
    "ack_timeout.P1": format_duration,
    "ack_timeout.P2": format_duration,
    "response_target.P1": format_duration,
    "response_target.P2": format_duration,
    "response_target.P3": format_duration,
    "handover.weekday": lambda weekday: WEEKDAYS[weekday],
    "handover.time": format_clock_time,
    "start_date": lambda day: day.isoformat(),
}


def apply_config(document, at: datetime | None = None) -> list[str]:
    """Validate and store ``document``, and return one line per change (empty when nothing changed).

    Raises ConfigError listing every problem before anything is written. All
    writes happen in one transaction, so an error stores nothing. ``at`` (now
    by default) is the time rota changes take effect.
    """
    at = at or timezone.now()
    with transaction.atomic():
        config = parse_config(document, _existing())
        changes = []
        for spec in config.calendars:
            changes += apply_calendar(spec)
        for spec in config.escalation_policies:
            changes += apply_policy(spec)
        for spec in config.members:
            changes += apply_member(spec)
        for spec in config.teams:
            changes += apply_team(spec, at)
        for spec in config.announcement_channels:
            changes += apply_announcement(spec, _upsert)
    if changes:
        logger.info("Configuration file applied with %d changes", len(changes))
    return changes


def _existing() -> Existing:
    return Existing(
        calendars=frozenset(BusinessCalendar.objects.values_list("slug", flat=True)),
        policies=frozenset(EscalationPolicy.objects.values_list("slug", flat=True)),
        members=frozenset(Member.objects.values_list("email", flat=True)),
        teams=frozenset(Team.objects.values_list("slug", flat=True)),
    )


def _show(key: str, value) -> str:
    if value is None or value == "":
        return "none"
    if hasattr(value, "slug"):
        return value.slug
    if hasattr(value, "email"):
        return value.email
    return show(DISPLAY.get(key, lambda same: same)(value))


def _upsert(model, lookup: dict, label: str, fields: list[tuple[str, str, object]]):
    """Create the row matching ``lookup`` or update its differing fields.

    ``fields`` lists (file key, model attribute, value). Returns the row, whether
    it was created, and one line per changed field.
    """
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model.objects.create(**lookup, **{attribute: value for _, attribute, value in fields})
        return row, True, [f"{label}: created"]
    changes, changed = [], []
    for key, attribute, value in fields:
        current = getattr(row, attribute)
        if current != value:
            changes.append(f"{label}: {key} changed from {_show(key, current)} to {_show(key, value)}")
            setattr(row, attribute, value)
            changed.append(attribute)
    if changed:
        row.save(update_fields=changed)
    return row, False, changes


def apply_calendar(spec: CalendarSpec) -> list[str]:
    label = f"calendar {spec.slug}"
    fields = [
        ("name", "name", spec.name),
        ("time_zone", "time_zone", spec.time_zone),
        ("region.country", "country", spec.country),
        ("region.subdivision", "subdivision", spec.subdivision),
    ]
    calendar, created, changes = _upsert(BusinessCalendar, {"slug": spec.slug}, label, fields)
    child_changes = sync_openings(calendar, spec.openings, label)
    if spec.closures is not None:
        child_changes += sync_closures(calendar, spec.closures, label)
    if spec.one_off_openings is not None:
        child_changes += sync_one_off_openings(calendar, spec.one_off_openings, label)
    return changes if created else changes + child_changes


def sync_openings(calendar: BusinessCalendar, desired: frozenset, label: str) -> list[str]:
    """Delete stored openings missing from ``desired`` and create the new ones."""
    stored = {(row.weekday, row.opens, row.closes): row for row in calendar.openings.all()}
    changes = []
    for key in sorted(stored.keys() - desired):
        stored[key].delete()
        changes.append(f"{label}: opening {_describe_opening(key)} removed")
    for key in sorted(desired - stored.keys()):
        OpeningInterval.objects.create(calendar=calendar, weekday=key[0], opens=key[1], closes=key[2])
        changes.append(f"{label}: opening {_describe_opening(key)} added")
    return changes


def _describe_opening(key: tuple) -> str:
    weekday, opens, closes = key
    return f"{WEEKDAYS[weekday]} {format_opening(opens, closes)}"


def sync_closures(calendar: BusinessCalendar, desired: tuple[ClosureSpec, ...], label: str) -> list[str]:
    """Make the calendar's agency closures match ``desired``, matching stored rows by their dates.

    A matched row keeps its id and only its name is updated.
    """
    desired_by_key = {(spec.first_day, spec.last_day): spec for spec in desired}
    matched: dict[tuple, Closure] = {}
    changes = []
    for row in calendar.closures.order_by("first_day", "last_day", "id"):
        key = (row.first_day, row.last_day)
        if key in desired_by_key and key not in matched:
            matched[key] = row
            continue
        row.delete()
        changes.append(f"{label}: closure {_describe_closure(row)} removed")
    for key, spec in sorted(desired_by_key.items()):
        row = matched.get(key)
        if row is None:
            row = Closure.objects.create(calendar=calendar, name=spec.name, first_day=spec.first_day, last_day=spec.last_day)
            changes.append(f"{label}: closure {_describe_closure(row)} added")
        elif row.name != spec.name:
            changes.append(f"{label}: closure {_describe_closure(row)} renamed to {show(spec.name)}")
            row.name = spec.name
            row.save(update_fields=["name"])
    return changes


def _describe_closure(row: Closure) -> str:
    days = row.first_day.isoformat()
    if row.last_day != row.first_day:
        days += f" to {row.last_day.isoformat()}"
    return f"{days} {show(row.name)}"


def sync_one_off_openings(calendar: BusinessCalendar, desired: tuple[OneOffOpeningSpec, ...], label: str) -> list[str]:
    """Make the calendar's one-off openings match ``desired``, matching stored rows by date and hours."""
    stored = {(row.date, row.opens, row.closes): row for row in calendar.one_off_openings.all()}
    names_by_key = {(spec.day, opens, closes): spec.name for spec in desired for opens, closes in spec.openings}
    changes = []
    for key in sorted(stored.keys() - names_by_key.keys()):
        stored[key].delete()
        changes.append(f"{label}: one-off opening {_describe_one_off(key)} removed")
    for key in sorted(names_by_key):
        row = stored.get(key)
        if row is None:
            day, opens, closes = key
            OneOffOpening.objects.create(calendar=calendar, date=day, opens=opens, closes=closes, name=names_by_key[key])
            changes.append(f"{label}: one-off opening {_describe_one_off(key)} added")
        elif row.name != names_by_key[key]:
            changes.append(f"{label}: one-off opening {_describe_one_off(key)} renamed to {show(names_by_key[key])}")
            row.name = names_by_key[key]
            row.save(update_fields=["name"])
    return changes


def _describe_one_off(key: tuple) -> str:
    day, opens, closes = key
    return f"{day.isoformat()} {format_opening(opens, closes)}"


def apply_policy(spec: PolicySpec) -> list[str]:
    label = f"escalation policy {spec.slug}"
    fields = [
        ("name", "name", spec.name),
        ("ack_timeout.P1", "p1_ack_timeout", spec.p1_ack_timeout),
        ("ack_timeout.P2", "p2_ack_timeout", spec.p2_ack_timeout),
        ("repeat", "repeat_count", spec.repeat_count),
        ("response_target.P1", "p1_response_target", spec.p1_response_target),
        ("response_target.P2", "p2_response_target", spec.p2_response_target),
        ("response_target.P3", "p3_response_target", spec.p3_response_target),
    ]
    policy, created, changes = _upsert(EscalationPolicy, {"slug": spec.slug}, label, fields)
    step_changes = sync_steps(policy, spec.steps, label)
    return changes if created else changes + step_changes


def sync_steps(policy: EscalationPolicy, desired: tuple[str, ...], label: str) -> list[str]:
    """Replace the policy's steps when their ordered targets differ from ``desired``."""
    stored = [step.target for step in policy.steps.order_by("position")]
    if stored == list(desired):
        return []
    policy.steps.all().delete()
    EscalationStep.objects.bulk_create(
        EscalationStep(policy=policy, position=position, target=target) for position, target in enumerate(desired)
    )
    return [f"{label}: steps changed from [{', '.join(stored)}] to [{', '.join(desired)}]"]


def apply_member(spec: MemberSpec) -> list[str]:
    label = f"member {spec.email}"
    fields = [
        ("name", "name", spec.name),
        ("time_zone", "time_zone", spec.time_zone),
        ("admin", "is_admin", spec.is_admin),
    ]
    member, created, changes = _upsert(Member, {"email": spec.email}, label, fields)
    method_changes = sync_contact_methods(member, spec.contact_methods, label)
    rule_changes = sync_rules(member, spec.notification_rules, label)
    return changes if created else changes + method_changes + rule_changes


def sync_contact_methods(member: Member, desired: tuple[ContactMethodSpec, ...], label: str) -> list[str]:
    """Make the member's contact methods match ``desired``, matching stored rows by (kind, address).

    A matched row keeps its id and only its position and delay are updated.
    """
    stored: dict[tuple[str, str], ContactMethod] = {}
    for row in member.contact_methods.order_by("position", "id"):
        stored.setdefault((row.kind, row.address), row)
    matched_ids = set()
    changes = []
    for position, spec in enumerate(desired):
        row = stored.get((spec.kind, spec.address))
        if row is None:
            row = ContactMethod.objects.create(
                member=member, kind=spec.kind, address=spec.address, delay_seconds=spec.delay_seconds, position=position
            )
            changes.append(f"{label}: contact method {row} added as contact_methods[{position}]")
        else:
            changes += _update_contact_method(row, spec, position, label)
        matched_ids.add(row.id)
    for row in member.contact_methods.exclude(id__in=matched_ids):
        row.delete()
        changes.append(f"{label}: contact method {row} removed")
    return changes


def _update_contact_method(row: ContactMethod, spec: ContactMethodSpec, position: int, label: str) -> list[str]:
    changes = []
    if row.position != position:
        changes.append(f"{label}: contact method {row} moved from contact_methods[{row.position}] to contact_methods[{position}]")
    if row.delay_seconds != spec.delay_seconds:
        changes.append(
            f"{label}: contact method {row} delay changed from "
            f"{format_duration(row.delay_seconds)} to {format_duration(spec.delay_seconds)}"
        )
    if changes:
        row.position, row.delay_seconds = position, spec.delay_seconds
        row.save(update_fields=["position", "delay_seconds"])
    return changes


def apply_team(spec: TeamSpec, at: datetime) -> list[str]:
    label = f"team {spec.slug}"
    fields = [
        ("name", "name", spec.name),
        ("calendar", "calendar", BusinessCalendar.objects.get(slug=spec.calendar)),
        ("escalation_policy", "escalation_policy", EscalationPolicy.objects.get(slug=spec.escalation_policy)),
        ("lead", "lead", Member.objects.get(email=spec.lead) if spec.lead else None),
    ]
    team, created, changes = _upsert(Team, {"slug": spec.slug}, label, fields)
    child_changes = []
    if spec.rota is not None:
        child_changes += apply_rota(team, spec.rota, f"{label} rota", {"team": team}, at)
    if spec.backup_rota is None:
        child_changes += _delete_backup_rota(team, label, at)
    elif spec.backup_rota is not KEEP:
        child_changes += apply_rota(team, spec.backup_rota, f"{label} backup_rota", {"backup_for": team}, at)
    return changes if created else changes + child_changes


def _delete_backup_rota(team: Team, label: str, at: datetime) -> list[str]:
    deleted, _ = Rota.objects.filter(backup_for=team).delete()
    return [f"{label}: backup_rota removed, so the backup is the next member in the rota"] if deleted else []


def apply_rota(team: Team, spec: RotaSpec, label: str, owner: dict, at: datetime) -> list[str]:
    """Create or change a rota. Member and handover changes go through rota.changes, which keeps who is on call now."""
    settings = Settings(spec.time_zone, spec.handover_weekday, spec.handover_time, spec.start_date)
    members = [Member.objects.get(email=email) for email in spec.members]
    mode, seconds = spec.handover_notice
    rota = Rota.objects.filter(**owner).first()
    if rota is None:
        rota = Rota.objects.create(
            **owner, time_zone=settings.time_zone, handover_weekday=settings.handover_weekday,
            handover_time=settings.handover_time, start_date=settings.start_date,
            handover_notice=mode, handover_notice_seconds=seconds,
        )
        store_order(rota, members)
        sync_overrides(rota, spec.overrides, label, at)
        return []
    changes = _describe_rota_changes(rota, settings, spec, label)
    if (rota.handover_notice, rota.handover_notice_seconds) != (mode, seconds):
        stored = format_handover_notice(rota.handover_notice, rota.handover_notice_seconds)
        changes.append(f"{label}: handover_notice changed from {show(stored)} to {show(format_handover_notice(mode, seconds))}")
        Rota.objects.filter(pk=rota.pk).update(handover_notice=mode, handover_notice_seconds=seconds)
    result = change_rota(rota, at, "configuration file", members=members, settings=settings)
    if result.handed_over:
        leaving, taking_over = result.handed_over
        who = taking_over.email if taking_over else "nobody"
        changes.append(f"{label}: {leaving.email} was on call and left, so {who} took over at once ({len(result.moved_pages)} pages moved)")
    changes += sync_overrides(rota, spec.overrides, label, at)
    return changes


def _describe_rota_changes(rota: Rota, settings: Settings, spec: RotaSpec, label: str) -> list[str]:
    changes = []
    for key, attribute, value in (
        ("time_zone", "time_zone", settings.time_zone),
        ("handover.weekday", "handover_weekday", settings.handover_weekday),
        ("handover.time", "handover_time", settings.handover_time),
        ("start_date", "start_date", settings.start_date),
    ):
        current = getattr(rota, attribute)
        if current != value:
            changes.append(f"{label}: {key} changed from {_show(key, current)} to {_show(key, value)}")
    stored = [member.email for member in rota.current_members()]
    if stored != list(spec.members):
        changes.append(f"{label}: members changed from [{', '.join(stored)}] to [{', '.join(spec.members)}]")
    return changes


def _override_key(member_email: str, starts_at, ends_at, note: str) -> tuple:
    return (member_email, starts_at, ends_at, note)


def sync_overrides(rota: Rota, desired: tuple[OverrideSpec, ...] | None, label: str, at: datetime) -> list[str]:
    """Make the rota's overrides match ``desired`` in order (the last is the newest); None keeps them.

    Matched overrides keep their rows. When the order of the matched ones
    differs from the file's, they are created again in the file's order.
    """
    if desired is None:
        return []
    stored = rota.active_overrides()
    stored_keys = [_override_key(row.member.email, row.starts_at, row.ends_at, row.note) for row in stored]
    wanted = [_override_key(spec.member, spec.starts_at, spec.ends_at, spec.note) for spec in desired]
    if stored_keys == wanted:
        return []
    changes = []
    kept = [row for row, key in zip(stored, stored_keys) if key in wanted]
    kept_keys = [key for key in stored_keys if key in wanted]
    if kept_keys != [key for key in wanted if key in kept_keys]:
        kept, kept_keys = [], []
        changes.append(f"{label}: overrides reordered")
    for row, key in zip(stored, stored_keys):
        if row not in kept:
            remove_override(row, at, "configuration file", notify=key not in wanted)
            if key in wanted:
                continue
            changes.append(f"{label}: override {_describe_override(key, rota)} removed")
    for key in wanted:
        if key in kept_keys:
            continue
        member = Member.objects.get(email=key[0])
        add_override(rota, member, key[1], key[2], at, "configuration file", key[3], notify=key not in stored_keys)
        if key not in stored_keys:
            changes.append(f"{label}: override {_describe_override(key, rota)} added")
    return changes


def _describe_override(key: tuple, rota: Rota) -> str:
    email, starts_at, ends_at, _note = key
    return f"{email} from {format_local_instant(starts_at, rota.time_zone)} to {format_local_instant(ends_at, rota.time_zone)}"
