"""Store the configuration file's notification rules and announcement channels."""

from oohdesk.configuration.paging_schema import AnnouncementSpec, RuleSpec
from oohdesk.configuration.values import format_duration
from oohdesk.paging.models import AnnouncementChannel, NotificationRule
from oohdesk.rota.models import Member, Team


def describe_rules(rules) -> str:
    """Describe rules as "P1: pushover 0s, voice 2m; P2: ..." for change lines."""
    by_priority: dict[str, list[str]] = {}
    for priority, kind, delay in rules:
        by_priority.setdefault(priority, []).append(f"{kind} {format_duration(delay)}")
    return "; ".join(f"{priority}: {', '.join(entries)}" for priority, entries in sorted(by_priority.items())) or "none"


def sync_rules(member: Member, desired: tuple[RuleSpec, ...], label: str) -> list[str]:
    """Replace the member's notification rules when they differ from ``desired``; the contact methods are already stored."""
    stored = [
        (rule.priority, rule.contact_method.kind, rule.contact_method.address, rule.delay_seconds)
        for rule in member.notification_rules.select_related("contact_method").order_by("priority", "position")
    ]
    expected = [(rule.priority, rule.kind, rule.address, rule.delay_seconds) for rule in desired]
    if stored == expected:
        return []
    member.notification_rules.all().delete()
    methods = {(method.kind, method.address): method for method in member.contact_methods.all()}
    positions: dict[str, int] = {}
    for rule in desired:
        position = positions.get(rule.priority, 0)
        positions[rule.priority] = position + 1
        NotificationRule.objects.create(
            member=member,
            priority=rule.priority,
            contact_method=methods[(rule.kind, rule.address)],
            delay_seconds=rule.delay_seconds,
            position=position,
        )
    before = describe_rules((priority, kind, delay) for priority, kind, _address, delay in stored)
    after = describe_rules((priority, kind, delay) for priority, kind, _address, delay in expected)
    return [f"{label}: notification rules changed from [{before}] to [{after}]"]


def apply_announcement(spec: AnnouncementSpec, upsert) -> list[str]:
    label = f"announcement channel {spec.slug}"
    fields = [
        ("name", "name", spec.name),
        ("kind", "kind", spec.kind),
        ("url", "url", spec.url),
        ("secret", "secret", spec.secret),
        ("team", "team", Team.objects.get(slug=spec.team) if spec.team else None),
    ]
    _row, _created, changes = upsert(AnnouncementChannel, {"slug": spec.slug}, label, fields)
    # The URL and secret may hold tokens, so change lines never show them.
    return [change if not change.startswith((f"{label}: url ", f"{label}: secret ")) else change.split(" changed")[0] + " changed" for change in changes]
