from datetime import time

from django.conf import settings
from django.db import models

from oohdesk.hours.models import WEEKDAYS, BusinessCalendar, validate_zone_name
from oohdesk.rota.shifts import Epoch, RotaPlan, Schedule
from oohdesk.zones import get_zone


def exactly_one_of(first: str, second: str, name: str) -> models.CheckConstraint:
    """Return a constraint that exactly one of two nullable foreign keys is set."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{first}__isnull": False, f"{second}__isnull": True})
        | models.Q(**{f"{first}__isnull": True, f"{second}__isnull": False}),
        name=name,
    )


class Member(models.Model):
    """A person at the agency: a developer on a rota, a team lead or an admin."""

    name = models.CharField(max_length=100)
    email = models.EmailField(unique=True)
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_zone_name])
    is_admin = models.BooleanField(
        default=False, help_text="Admins are alerted when a page's escalation runs out."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="member"
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="This person's working hours for notices; empty means their team's calendar.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self):
        return get_zone(self.time_zone)

    def working_calendar(self) -> BusinessCalendar | None:
        """Return the calendar of this person's working hours: their own, else their first team's."""
        if self.calendar_id:
            return self.calendar
        team = Team.objects.filter(models.Q(rota__memberships__member=self) | models.Q(lead=self)).order_by("id").first()
        return team.calendar if team else None


class Team(models.Model):
    """A team with an on-call rota, an optional backup rota, a lead and an escalation policy."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="teams")
    lead = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams_led")
    escalation_policy = models.ForeignKey(
        "paging.EscalationPolicy", on_delete=models.PROTECT, related_name="teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def on_call_segment(self, at) -> "Segment | None":
        """Return who is on call at ``at`` with the rota's overrides applied, as a segment, or None for nobody.

        This is the one answer to "who is on call" for escalation, the
        dashboard, the API and the command line.
        """
        rota = getattr(self, "rota", None)
        return rota.segment_at(at) if rota else None

    def on_call_at(self, at) -> "Member | None":
        """Return the member on call at ``at``, or None (no rota, an empty one, not started yet, or a gap)."""
        segment = self.on_call_segment(at)
        return segment.member if segment else None

    def backup_at(self, at) -> "Member | None":
        """Return the backup for escalation at ``at``: from the backup rota if the team has one, else the next in the rota.

        The backup is never the member on call. Returns None when there is nobody to back them up.
        """
        on_call = self.on_call_at(at)
        backup_rota = getattr(self, "backup_rota", None)
        if backup_rota is not None:
            segment = backup_rota.segment_at(at)
            if segment is None:
                return None
            if segment.member != on_call:
                return segment.member
            return backup_rota.next_in_order(segment.member, at, skip=on_call)
        rota = getattr(self, "rota", None)
        if rota is None:
            return None
        shift = rota.plan().shift_at(at)
        if shift is None:
            return None
        return rota.next_in_order(shift.member, at, skip=on_call)


class HandoverNoticeMode(models.TextChoices):
    WORKING_DAY_BEFORE = "working_day_before", "At the start of the working day before the handover"
    BEFORE = "before", "A set time before the handover"
    OFF = "off", "No handover notices"


class Rota(models.Model):
    """A weekly rota, either a team's on-call rota or its backup rota; handovers are wall-clock times in its zone.

    The fields hold the current settings. Once the rota has been changed
    while running, its epochs (see shifts.py) keep the settings and member
    order of each period, so the past and the week in progress never change.
    """

    team = models.OneToOneField(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="rota")
    backup_for = models.OneToOneField(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="backup_rota",
        help_text="Set for a team's backup rota, which escalation uses instead of the next member of the team's rota.",
    )
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_zone_name])
    handover_weekday = models.PositiveSmallIntegerField(
        choices=[(index, day.title()) for index, day in enumerate(WEEKDAYS)], default=0
    )
    handover_time = models.TimeField(default=time(9, 0))
    start_date = models.DateField(help_text="The first shift starts at the first handover on or after this date.")
    members = models.ManyToManyField(Member, through="RotaMembership", related_name="rotas")
    handover_notice = models.CharField(
        max_length=32, choices=HandoverNoticeMode.choices, default=HandoverNoticeMode.WORKING_DAY_BEFORE
    )
    handover_notice_seconds = models.PositiveIntegerField(
        default=0, help_text="How long before a handover the notices go, when the mode is a set time before."
    )

    class Meta:
        constraints = [exactly_one_of("team", "backup_for", name="rota_team_or_backup")]

    def __str__(self) -> str:
        if self.backup_for_id:
            return f"{self.backup_for} backup rota"
        return f"{self.team} rota"

    @property
    def owner(self) -> Team:
        """Return the team whose rota or backup rota this is."""
        return self.team if self.team_id else self.backup_for

    @property
    def is_backup(self) -> bool:
        return self.backup_for_id is not None

    @property
    def zone(self):
        return get_zone(self.time_zone)

    def schedule(self) -> Schedule:
        return Schedule(self.zone, self.handover_weekday, self.handover_time)

    def current_members(self) -> list[Member]:
        return [row.member for row in self.memberships.select_related("member").order_by("position")]

    def plan(self) -> RotaPlan:
        """Return the rota's plan: its recorded epochs, or the current settings from the start date if it never changed."""
        epochs = list(self.epochs.prefetch_related("members__member").order_by("starts_at"))
        if not epochs:
            return RotaPlan.weekly(
                self.zone, self.handover_weekday, self.handover_time, self.start_date, self.current_members()
            )
        return RotaPlan(tuple(epoch.as_plan_epoch() for epoch in epochs))

    def active_overrides(self) -> list["Override"]:
        return list(self.overrides.select_related("member").order_by("created_at", "id"))

    def segments(self, start, end, clip: bool = True) -> list["Segment"]:
        """Return who is on call over ``[start, end)`` with overrides applied; see oncall.resolve."""
        from oohdesk.rota.oncall import resolve

        return resolve(self.plan(), self.active_overrides(), start, end, clip=clip)

    def segment_at(self, at) -> "Segment | None":
        from oohdesk.rota.oncall import segment_at

        return segment_at(self.plan(), self.active_overrides(), at)

    def next_segment(self, at) -> "Segment | None":
        from oohdesk.rota.oncall import next_segment

        return next_segment(self.plan(), self.active_overrides(), at)

    def next_in_order(self, member: Member, at, skip: Member | None = None) -> Member | None:
        """Return the first member after ``member`` in the order in force at ``at`` who is not ``skip``.

        ``member`` itself comes last, so a two-member rota backs each one up with the other.
        """
        order = list(self.plan().order_at(at))
        if member in order:
            index = order.index(member)
            candidates = order[index + 1 :] + order[: index + 1]
        else:
            candidates = order
        return next((candidate for candidate in candidates if candidate != skip), None)


class RotaMembership(models.Model):
    """A member's place in a rota's current order. Change it through rota.changes, which keeps the history."""

    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="rota_memberships")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["rota", "position"], name="rota_position_unique"),
            models.UniqueConstraint(fields=["rota", "member"], name="rota_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position + 1}. {self.member}"


class RotaEpoch(models.Model):
    """The settings and member order of a rota from ``starts_at`` until its next epoch starts."""

    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="epochs")
    starts_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, validators=[validate_zone_name])
    handover_weekday = models.PositiveSmallIntegerField()
    handover_time = models.TimeField()
    current_position = models.PositiveSmallIntegerField(default=0)
    next_position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [models.UniqueConstraint(fields=["rota", "starts_at"], name="epoch_start_unique")]

    def __str__(self) -> str:
        return f"{self.rota} from {self.starts_at:%Y-%m-%d %H:%M} UTC"

    def as_plan_epoch(self) -> Epoch:
        members = tuple(row.member for row in sorted(self.members.all(), key=lambda row: row.position))
        schedule = Schedule(get_zone(self.time_zone), self.handover_weekday, self.handover_time)
        return Epoch(self.starts_at, schedule, members, self.current_position, self.next_position)


class RotaEpochMember(models.Model):
    epoch = models.ForeignKey(RotaEpoch, on_delete=models.CASCADE, related_name="members")
    # PROTECT: deleting a member must not rewrite who was on call in the past.
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["epoch", "position"], name="epoch_position_unique")]


class Override(models.Model):
    """Puts ``member`` on call from ``starts_at`` to ``ends_at`` instead of the rota. The newest override wins."""

    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="overrides")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="overrides")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    swap = models.ForeignKey(
        "SwapRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="overrides"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["rota", "ends_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="override_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.member} on call {self.starts_at:%Y-%m-%d %H:%M} to {self.ends_at:%Y-%m-%d %H:%M} UTC"


class SwapRequest(models.Model):
    """A member asks another to take part of their shift (cover), or to trade it for part of the other's (swap)."""

    class Kind(models.TextChoices):
        COVER = "cover", "Cover"
        SWAP = "swap", "Swap"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="swap_requests")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    requester = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="swaps_requested")
    counterpart = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="swaps_received")
    give_starts_at = models.DateTimeField(help_text="The start of the requester's time that the other member takes.")
    give_ends_at = models.DateTimeField()
    take_starts_at = models.DateTimeField(
        null=True, blank=True, help_text="For a swap: the start of the other member's time that the requester takes."
    )
    take_ends_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.requester} to {self.counterpart}"


class RotaLogEntry(models.Model):
    """One change to a rota, for the support lead: who did what, and when."""

    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField()
    actor = models.CharField(max_length=200, help_text="Who made the change: a person's name, or where it came from.")
    message = models.CharField(max_length=1000)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "rota log entries"

    def __str__(self) -> str:
        return self.message


class HandoverNotice(models.Model):
    """A handover notice that has been queued; the unique constraint stops two engines queueing it twice."""

    class Role(models.TextChoices):
        INCOMING = "incoming", "Incoming"
        OUTGOING = "outgoing", "Outgoing"

    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="handover_notices")
    handover_at = models.DateTimeField()
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)
    queued_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rota", "handover_at", "member", "role"], name="handover_notice_once")
        ]


class CalendarFeed(models.Model):
    """A private iCalendar URL: one member's shifts, or everyone's on a team. Resetting the key revokes the old URL."""

    member = models.OneToOneField(Member, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feed")
    team = models.OneToOneField(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feed")
    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [exactly_one_of("member", "team", name="feed_member_or_team")]

    def __str__(self) -> str:
        return f"Calendar feed of {self.member or self.team}"
