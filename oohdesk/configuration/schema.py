"""The configuration file's format: parse a loaded YAML document into plain dataclasses.

``parse_config`` checks the whole document and raises ConfigError listing every
problem, each with its path, so one run shows everything to fix. docs/configuration.md
describes the format.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import partial

from oohdesk.configuration.paging_schema import (
    AnnouncementSpec,
    RuleSpec,
    parse_announcement,
    parse_provider_address,
    parse_rules,
)
from oohdesk.configuration.reader import Problems, Section, check_unique, join, open_section
from oohdesk.configuration.values import (
    describe_type,
    format_opening,
    parse_bool,
    parse_clock_time,
    parse_count,
    parse_date,
    parse_duration,
    parse_email,
    parse_handover_notice,
    parse_local_instant,
    parse_opening,
    parse_slug,
    parse_text,
    parse_weekday,
    parse_zone,
    show,
)
from oohdesk.hours.calendar import MIDNIGHT
from oohdesk.hours.models import WEEKDAYS
from oohdesk.hours.regions import RegionError, check_region
from oohdesk.paging.channels import CONTACT_KINDS
from oohdesk.paging.models import EscalationStep
from oohdesk.rota.models import HandoverNoticeMode

DEFAULT_ZONE = "Europe/London"
DEFAULT_P1_ACK_TIMEOUT = 300
DEFAULT_P2_ACK_TIMEOUT = 900
DEFAULT_REPEAT = 2
DEFAULT_HANDOVER_TIME = time(9, 0)

ROTA_REQUIRED_KEYS = ("start_date", "members")
ROTA_OPTIONAL_KEYS = ("time_zone", "handover", "handover_notice", "overrides")
DEFAULT_HANDOVER_NOTICE = (HandoverNoticeMode.WORKING_DAY_BEFORE.value, 0)

# Marks a key the file leaves out, where that differs from an explicit null.
KEEP = object()
TOP_LEVEL_KEYS = ("calendars", "escalation_policies", "members", "teams", "announcement_channels")
STEP_TARGETS = tuple(EscalationStep.Target.values)

parse_name = partial(parse_text, max_length=100)


@dataclass(frozen=True)
class ClosureSpec:
    name: str
    first_day: date
    last_day: date


@dataclass(frozen=True)
class OneOffOpeningSpec:
    day: date
    name: str
    openings: tuple[tuple[time, time], ...]
    """(opens, closes) on ``day``, as for weekly openings."""


@dataclass(frozen=True)
class CalendarSpec:
    slug: str
    name: str
    time_zone: str
    openings: frozenset[tuple[int, time, time]]
    """(weekday from 0 for Monday, opens, closes). Closes is exclusive, and 00:00 as closes means midnight."""
    country: str = ""
    subdivision: str = ""
    closures: tuple[ClosureSpec, ...] | None = None
    """None when the file leaves ``closures`` out, which leaves the stored closures as they are."""
    one_off_openings: tuple[OneOffOpeningSpec, ...] | None = None
    """None when the file leaves ``one_off_openings`` out, which leaves the stored ones as they are."""


@dataclass(frozen=True)
class PolicySpec:
    slug: str
    name: str
    p1_ack_timeout: int
    p2_ack_timeout: int
    repeat_count: int
    steps: tuple[str, ...]
    p1_response_target: int | None = None
    p2_response_target: int | None = None
    p3_response_target: int | None = None
    """Seconds of working time in the team's calendar; P1 and P2 are clock time."""


@dataclass(frozen=True)
class ContactMethodSpec:
    kind: str
    address: str
    delay_seconds: int


@dataclass(frozen=True)
class MemberSpec:
    name: str
    email: str
    time_zone: str
    is_admin: bool
    contact_methods: tuple[ContactMethodSpec, ...]
    notification_rules: tuple[RuleSpec, ...] = ()


@dataclass(frozen=True)
class OverrideSpec:
    member: str
    starts_at: datetime
    ends_at: datetime
    note: str


@dataclass(frozen=True)
class RotaSpec:
    time_zone: str
    handover_weekday: int
    handover_time: time
    start_date: date
    members: tuple[str, ...]
    """Member emails in rota order."""
    handover_notice: tuple[str, int]
    """(mode, seconds): seconds is used by the "before" mode only."""
    overrides: tuple[OverrideSpec, ...] | None
    """Oldest first; None when the file leaves the key out, which keeps the stored overrides."""


@dataclass(frozen=True)
class TeamSpec:
    slug: str
    name: str
    calendar: str
    escalation_policy: str
    lead: str | None
    rota: RotaSpec | None
    """None when the file leaves the team's rota out, which leaves a stored rota as it is."""
    backup_rota: RotaSpec | None | object = field(default=None)
    """KEEP when the file leaves the key out, None for an explicit null (no backup rota), else the backup rota."""


@dataclass(frozen=True)
class Config:
    calendars: tuple[CalendarSpec, ...] = ()
    escalation_policies: tuple[PolicySpec, ...] = ()
    members: tuple[MemberSpec, ...] = ()
    teams: tuple[TeamSpec, ...] = ()
    announcement_channels: tuple[AnnouncementSpec, ...] = ()


@dataclass(frozen=True)
class Existing:
    """Slugs and emails already stored, which the file may refer to without listing them."""

    calendars: frozenset[str] = field(default_factory=frozenset)
    policies: frozenset[str] = field(default_factory=frozenset)
    members: frozenset[str] = field(default_factory=frozenset)
    teams: frozenset[str] = field(default_factory=frozenset)


def parse_config(document, existing: Existing = Existing()) -> Config:
    """Return the configuration in ``document``, or raise ConfigError listing every problem.

    An empty document (None) is an empty configuration.
    """
    problems = Problems()
    root = open_section({} if document is None else document, "", problems, (), TOP_LEVEL_KEYS)
    if root is None:
        problems.raise_if_any()
    calendars = _parse_list(root, "calendars", parse_calendar)
    policies = _parse_list(root, "escalation_policies", parse_policy)
    members = _parse_list(root, "members", parse_member)
    teams = _parse_list(root, "teams", parse_team)
    announcements = _parse_list(root, "announcement_channels", parse_announcement)
    _check_duplicates(problems, calendars, policies, members, teams)
    _check_references(problems, existing, calendars, policies, members, teams)
    check_unique(problems, [(join(path, "slug"), spec.slug) for path, spec in announcements], "give each announcement channel its own slug")
    known_teams = existing.teams | {spec.slug for _, spec in teams}
    for path, spec in announcements:
        _check_reference(problems, join(path, "team"), spec.team, known_teams, "team", "teams")
    problems.raise_if_any()
    return Config(
        *(tuple(spec for _, spec in entries) for entries in (calendars, policies, members, teams)),
        announcement_channels=tuple(spec for _, spec in announcements),
    )


def _parse_list(root: Section, key: str, parse_entry) -> list[tuple[str, object]]:
    """Return (path, spec) for each entry of a top-level list that is a mapping."""
    entries = []
    for path, item in root.items(key):
        spec = parse_entry(path, item, root.problems)
        if spec is not None:
            entries.append((path, spec))
    return entries


def parse_calendar(path: str, item, problems: Problems) -> CalendarSpec | None:
    optional = ("time_zone", "region", "closures", "one_off_openings")
    section = open_section(item, path, problems, ("slug", "name", "opening_hours"), optional)
    if section is None:
        return None
    country, subdivision = parse_region(section)
    return CalendarSpec(
        slug=section.value("slug", parse_slug),
        name=section.value("name", parse_name),
        time_zone=section.value("time_zone", parse_zone, DEFAULT_ZONE),
        openings=parse_opening_hours(section),
        country=country,
        subdivision=subdivision,
        closures=parse_closures(section),
        one_off_openings=parse_one_off_openings(section),
    )


def parse_region(calendar: Section) -> tuple[str, str]:
    """Return (country, subdivision) from ``region``, or ("", "") for a calendar without public holidays."""
    if calendar.data.get("region") is None:
        return "", ""
    section = calendar.section("region", ("country",), ("subdivision",))
    if section is None:
        return "", ""
    country = section.value("country", parse_code)
    subdivision = section.value("subdivision", parse_code, "")
    if country is None or subdivision is None:
        return "", ""
    try:
        check_region(country, subdivision)
    except RegionError as error:
        section.problems.add(join(section.path, error.field), str(error))
    return country, subdivision


def parse_code(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{describe_type(value)} is not a code; write text such as GB or ENG")
    return value


def parse_closures(calendar: Section) -> tuple[ClosureSpec, ...] | None:
    if "closures" not in calendar.data:
        return None
    closures = []
    keys = []
    for path, item in calendar.items("closures"):
        section = open_section(item, path, calendar.problems, ("name", "first_day"), ("last_day",))
        if section is None:
            continue
        name = section.value("name", parse_name)
        first_day = section.value("first_day", parse_date)
        last_day = section.value("last_day", parse_date, first_day)
        if first_day and last_day and last_day < first_day:
            section.problems.add(join(path, "last_day"), f"{show(last_day)} is before first_day {show(first_day)}; swap them")
            continue
        if None not in (name, first_day, last_day):
            closures.append(ClosureSpec(name=name, first_day=first_day, last_day=last_day))
            keys.append((path, (first_day, last_day)))
    check_unique(calendar.problems, keys, "list each closure once, or give it other dates")
    return tuple(closures)


def parse_one_off_openings(calendar: Section) -> tuple[OneOffOpeningSpec, ...] | None:
    """Return the one-off openings, checking that the openings of one date do not overlap across entries."""
    if "one_off_openings" not in calendar.data:
        return None
    entries = []
    for path, item in calendar.items("one_off_openings"):
        section = open_section(item, path, calendar.problems, ("date", "name", "hours"), ())
        if section is None:
            continue
        day = section.value("date", parse_date)
        name = section.value("name", parse_name)
        hours = [section.problems.parse(hours_path, parse_opening, text) for hours_path, text in section.items("hours")]
        hours = [opening for opening in hours if opening is not None]
        if isinstance(section.data.get("hours"), list) and not section.data["hours"]:
            section.problems.add(join(path, "hours"), 'the list is empty; list at least one opening, such as "10:00-14:00"')
        if day is not None and name is not None and hours:
            entries.append((path, OneOffOpeningSpec(day=day, name=name, openings=tuple(sorted(hours)))))
    check_unique(
        calendar.problems,
        [(join(path, "date"), (spec.day, spec.name)) for path, spec in entries],
        "list all of the hours of one date and name in one entry",
    )
    for day in sorted({spec.day for _, spec in entries}):
        same_day = [(path, spec) for path, spec in entries if spec.day == day]
        hours = [opening for _, spec in same_day for opening in spec.openings]
        _check_overlaps(calendar.problems, join(same_day[0][0], "hours"), hours)
    return tuple(spec for _, spec in entries)


def parse_opening_hours(calendar: Section) -> frozenset[tuple[int, time, time]]:
    hours = calendar.section("opening_hours", optional=tuple(WEEKDAYS))
    if hours is None:
        return frozenset()
    openings = set()
    for weekday, day in enumerate(WEEKDAYS):
        day_openings = [hours.problems.parse(path, parse_opening, text) for path, text in hours.items(day)]
        day_openings = [opening for opening in day_openings if opening is not None]
        _check_overlaps(hours.problems, join(hours.path, day), day_openings)
        openings.update((weekday, opens, closes) for opens, closes in day_openings)
    return frozenset(openings)


def _check_overlaps(problems: Problems, path: str, openings: list[tuple[time, time]]) -> None:
    ordered = sorted(openings)
    for earlier, later in zip(ordered, ordered[1:]):
        earlier_end = (24, 0) if earlier[1] == MIDNIGHT else (earlier[1].hour, earlier[1].minute)
        if (later[0].hour, later[0].minute) < earlier_end:
            problems.add(
                path,
                f'"{format_opening(*earlier)}" overlaps "{format_opening(*later)}"; '
                "merge them or change the times so they do not overlap",
            )


def parse_policy(path: str, item, problems: Problems) -> PolicySpec | None:
    section = open_section(item, path, problems, ("slug", "name", "steps"), ("ack_timeout", "repeat", "response_target"))
    if section is None:
        return None
    timeouts = section.section("ack_timeout", optional=("P1", "P2"))
    targets = section.section("response_target", optional=("P1", "P2", "P3"))
    positive_duration = partial(parse_duration, minimum=1)
    return PolicySpec(
        slug=section.value("slug", parse_slug),
        name=section.value("name", parse_name),
        p1_ack_timeout=timeouts.value("P1", positive_duration, DEFAULT_P1_ACK_TIMEOUT) if timeouts else DEFAULT_P1_ACK_TIMEOUT,
        p2_ack_timeout=timeouts.value("P2", positive_duration, DEFAULT_P2_ACK_TIMEOUT) if timeouts else DEFAULT_P2_ACK_TIMEOUT,
        repeat_count=section.value("repeat", parse_count, DEFAULT_REPEAT),
        steps=parse_steps(section),
        p1_response_target=targets.value("P1", positive_duration, None) if targets else None,
        p2_response_target=targets.value("P2", positive_duration, None) if targets else None,
        p3_response_target=targets.value("P3", positive_duration, None) if targets else None,
    )


def parse_steps(policy: Section) -> tuple[str, ...]:
    steps = tuple(policy.problems.parse(path, parse_step, item) for path, item in policy.items("steps"))
    if "steps" in policy.data and isinstance(policy.data["steps"], list) and not steps:
        policy.problems.add(join(policy.path, "steps"), f"the list is empty; list at least one of {', '.join(STEP_TARGETS)}")
    return steps


def parse_step(value) -> str:
    if value not in STEP_TARGETS:
        raise ValueError(f"{describe_type(value)} is not a step; use {', '.join(STEP_TARGETS)}")
    return value


def parse_member(path: str, item, problems: Problems) -> MemberSpec | None:
    section = open_section(
        item, path, problems, ("name", "email", "contact_methods"), ("time_zone", "admin", "notification_rules")
    )
    if section is None:
        return None
    name = section.value("name", parse_name)
    email = section.value("email", parse_email)
    time_zone = section.value("time_zone", parse_zone, DEFAULT_ZONE)
    is_admin = section.value("admin", parse_bool, False)
    entries = section.items("contact_methods")
    methods = tuple(parse_contact_method(item_path, item, problems, email) for item_path, item in entries)
    keys = [(item_path, (method.kind, method.address) if method else None) for (item_path, _), method in zip(entries, methods)]
    check_unique(problems, keys, "list each kind and address once")
    rules = parse_rules(section, methods)
    return MemberSpec(
        name=name, email=email, time_zone=time_zone, is_admin=is_admin, contact_methods=methods, notification_rules=rules
    )


def parse_contact_method(path: str, item, problems: Problems, member_email: str | None) -> ContactMethodSpec | None:
    section = open_section(item, path, problems, ("kind",), ("address", "delay"))
    if section is None:
        return None
    kind = section.value("kind", parse_kind)
    address = parse_address(section, kind, member_email)
    delay = section.value("delay", parse_duration, 0)
    if None in (kind, address, delay):
        return None
    return ContactMethodSpec(kind=kind, address=address, delay_seconds=delay)


def parse_kind(value) -> str:
    if value not in CONTACT_KINDS:
        raise ValueError(f"{describe_type(value)} is not a contact method kind; use one of {', '.join(CONTACT_KINDS)}")
    return value


def parse_address(method: Section, kind: str | None, member_email: str | None) -> str | None:
    """Return the stored address: "" for demo_phone, for email the given address or else the member's email, else the given one."""
    if kind == "demo_phone":
        if "address" in method.data:
            method.problems.add(join(method.path, "address"), "demo_phone has no address; remove this key")
        return ""
    if kind == "email":
        return method.value("address", partial(parse_email, max_length=200), member_email)
    if kind in CONTACT_KINDS:
        if "address" not in method.data:
            method.problems.add(method.path, f'missing key "address"; {kind} needs one')
            return None
        return method.value("address", partial(parse_provider_address, kind))
    return None


def parse_team(path: str, item, problems: Problems) -> TeamSpec | None:
    required = ("slug", "name", "calendar", "escalation_policy")
    section = open_section(item, path, problems, required, ("lead", "rota", "backup_rota"))
    if section is None:
        return None
    if "backup_rota" not in section.data:
        backup_rota = KEEP
    elif section.data["backup_rota"] is None:
        backup_rota = None
    else:
        backup_rota = parse_rota(section, "backup_rota")
    return TeamSpec(
        slug=section.value("slug", parse_slug),
        name=section.value("name", parse_name),
        calendar=section.value("calendar", parse_slug),
        escalation_policy=section.value("escalation_policy", parse_slug),
        lead=section.value("lead", parse_email, None),
        rota=parse_rota(section),
        backup_rota=backup_rota,
    )


def parse_rota(team: Section, key: str = "rota") -> RotaSpec | None:
    section = team.section(key, ROTA_REQUIRED_KEYS, ROTA_OPTIONAL_KEYS)
    if section is None:
        return None
    time_zone = section.value("time_zone", parse_zone, DEFAULT_ZONE)
    handover = section.section("handover", optional=("weekday", "time"))
    weekday = handover.value("weekday", parse_weekday, 0) if handover else 0
    handover_time = handover.value("time", parse_clock_time, DEFAULT_HANDOVER_TIME) if handover else DEFAULT_HANDOVER_TIME
    start_date = section.value("start_date", parse_date)
    entries = section.items("members")
    members = tuple(section.problems.parse(path, parse_email, item) for path, item in entries)
    check_unique(section.problems, [(path, email) for (path, _), email in zip(entries, members)], "list each member once")
    return RotaSpec(
        time_zone=time_zone,
        handover_weekday=weekday,
        handover_time=handover_time,
        start_date=start_date,
        members=members,
        handover_notice=section.value("handover_notice", parse_handover_notice, DEFAULT_HANDOVER_NOTICE),
        overrides=parse_overrides(section, time_zone),
    )


def parse_overrides(rota: Section, time_zone: str | None) -> tuple[OverrideSpec, ...] | None:
    """Return the rota's overrides, oldest first, with times read in the rota's zone unless they carry an offset."""
    if "overrides" not in rota.data:
        return None
    zone_name = time_zone or DEFAULT_ZONE
    found = []
    for path, item in rota.items("overrides"):
        section = open_section(item, path, rota.problems, ("member", "start", "end"), ("note",))
        if section is None:
            continue
        instant = partial(parse_local_instant, zone_name=zone_name)
        spec = OverrideSpec(
            member=section.value("member", parse_email),
            starts_at=section.value("start", instant),
            ends_at=section.value("end", instant),
            note=section.value("note", partial(parse_text, max_length=200, allow_empty=True), ""),
        )
        if spec.starts_at and spec.ends_at and spec.ends_at <= spec.starts_at:
            rota.problems.add(join(path, "end"), "the end must be after the start")
        found.append(spec)
    return tuple(found)


def _check_duplicates(problems: Problems, calendars, policies, members, teams) -> None:
    for entries, key, noun in (
        (calendars, "slug", "calendar"),
        (policies, "slug", "escalation policy"),
        (members, "email", "member"),
        (teams, "slug", "team"),
    ):
        paths = [(join(path, key), getattr(spec, key)) for path, spec in entries]
        check_unique(problems, paths, f"give each {noun} its own {key}")


def _check_references(problems: Problems, existing: Existing, calendars, policies, members, teams) -> None:
    """Record each team reference to a calendar, policy or member that is neither in the file nor stored."""
    known_calendars = existing.calendars | {spec.slug for _, spec in calendars}
    known_policies = existing.policies | {spec.slug for _, spec in policies}
    known_members = existing.members | {spec.email for _, spec in members}
    for path, team in teams:
        _check_reference(problems, join(path, "calendar"), team.calendar, known_calendars, "calendar", "calendars")
        _check_reference(
            problems, join(path, "escalation_policy"), team.escalation_policy, known_policies,
            "escalation policy", "escalation_policies",
        )
        _check_reference(problems, join(path, "lead"), team.lead, known_members, "member", "members")
        for key, rota in (("rota", team.rota), ("backup_rota", team.backup_rota)):
            if not isinstance(rota, RotaSpec):
                continue
            for index, email in enumerate(rota.members):
                _check_reference(problems, f"{path}.{key}.members[{index}]", email, known_members, "member", "members")
            for index, override in enumerate(rota.overrides or ()):
                _check_reference(problems, f"{path}.{key}.overrides[{index}].member", override.member, known_members, "member", "members")


def _check_reference(problems: Problems, path: str, key: str | None, known: set, noun: str, section: str) -> None:
    if key is not None and key not in known:
        problems.add(path, f"no {noun} {show(key)} in this file or the database; add it under {section} or correct it")
