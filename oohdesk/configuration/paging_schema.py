"""The configuration file's paging parts: contact method addresses, notification rules, announcement channels.

Each parser records problems with their paths like the rest of the schema.
"""

from dataclasses import dataclass
from functools import partial

from oohdesk.configuration.reader import Problems, Section, check_unique, join, open_section
from oohdesk.configuration.values import describe_type, parse_duration, parse_slug, parse_text, show
from oohdesk.paging.channels import CHANNELS

PRIORITIES = ("P1", "P2")
ANNOUNCEMENT_KINDS = ("apprise", "webhook")
WEBHOOK_SECRET_MIN = 16

parse_name = partial(parse_text, max_length=100)


@dataclass(frozen=True)
class RuleSpec:
    priority: str
    kind: str
    address: str
    """The address of the contact method the rule uses, resolved from the member's methods."""
    delay_seconds: int


@dataclass(frozen=True)
class AnnouncementSpec:
    slug: str
    name: str
    kind: str
    url: str
    secret: str
    team: str | None


def parse_provider_address(kind: str, value) -> str:
    """Return a contact method address of a provider ``kind``, checked by its channel."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{describe_type(value)} is not an address; {kind} needs one")
    if len(value) > 200:
        raise ValueError(f"is {len(value)} characters long; use at most 200")
    CHANNELS[kind].validate_address(value)
    return value


def parse_rules(member: Section, methods: tuple) -> tuple[RuleSpec, ...]:
    """Parse ``notification_rules``: per priority, an ordered list of {kind, address, delay} naming the member's methods."""
    rules = member.section("notification_rules", optional=PRIORITIES)
    if rules is None:
        return ()
    parsed = []
    for priority in PRIORITIES:
        entries = rules.items(priority)
        resolved = [_parse_rule(path, item, priority, methods, rules.problems) for path, item in entries]
        keys = [(path, (rule.kind, rule.address) if rule else None) for (path, _), rule in zip(entries, resolved)]
        check_unique(rules.problems, keys, "use each contact method once per priority")
        parsed += [rule for rule in resolved if rule is not None]
    return tuple(parsed)


def _parse_rule(path: str, item, priority: str, methods: tuple, problems: Problems) -> RuleSpec | None:
    section = open_section(item, path, problems, ("kind",), ("address", "delay"))
    if section is None:
        return None
    kind = section.data.get("kind")
    address = section.data.get("address")
    delay = section.value("delay", parse_duration, 0)
    matches = [method for method in methods if method and method.kind == kind and (address is None or method.address == address)]
    if not matches:
        wanted = f"{show(kind)} with address {show(address)}" if address is not None else show(kind)
        problems.add(path, f"no contact method {wanted} in this member's contact_methods; add it there first")
        return None
    if len(matches) > 1:
        problems.add(path, f"this member has {len(matches)} {show(kind)} contact methods; add address to say which")
        return None
    if delay is None:
        return None
    return RuleSpec(priority=priority, kind=kind, address=matches[0].address, delay_seconds=delay)


def parse_announcement(path: str, item, problems: Problems) -> AnnouncementSpec | None:
    section = open_section(item, path, problems, ("slug", "name", "kind", "url"), ("secret", "team"))
    if section is None:
        return None
    kind = section.value("kind", _parse_announcement_kind)
    url = section.value("url", partial(_parse_url, kind))
    secret = section.value("secret", _parse_secret, "")
    if kind == "webhook" and "secret" not in section.data:
        problems.add(path, f'missing key "secret"; a webhook needs a signing secret of at least {WEBHOOK_SECRET_MIN} characters')
    if kind == "apprise" and secret:
        problems.add(join(path, "secret"), "an apprise channel takes no secret; put any token in its URL instead")
    return AnnouncementSpec(
        slug=section.value("slug", parse_slug),
        name=section.value("name", parse_name),
        kind=kind,
        url=url,
        secret=secret or "",
        team=section.value("team", parse_slug, None),
    )


def _parse_announcement_kind(value) -> str:
    if value not in ANNOUNCEMENT_KINDS:
        raise ValueError(f"{describe_type(value)} is not an announcement channel kind; use {' or '.join(ANNOUNCEMENT_KINDS)}")
    return value


def _parse_url(kind: str | None, value) -> str:
    if not isinstance(value, str) or not value or len(value) > 1000:
        raise ValueError(f"{describe_type(value)} is not a URL of at most 1000 characters")
    if kind == "webhook" and not value.startswith(("https://", "http://")):
        raise ValueError("is not a webhook URL; start it with https://")
    if kind == "apprise":
        CHANNELS["apprise"].validate_address(value)
    return value


def _parse_secret(value) -> str:
    if not isinstance(value, str) or len(value) < WEBHOOK_SECRET_MIN or len(value) > 200:
        raise ValueError(f"is not a secret of {WEBHOOK_SECRET_MIN} to 200 characters; generate a long random one")
    return value
