from django.conf import settings
from django.db import models

from oohdesk.hours.models import WEEKDAYS, BusinessCalendar, validate_zone_name
from oohdesk.rota.shifts import RotaPlan, Shift
from oohdesk.zones import get_zone


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

    def on_call_at(self, at) -> "Member | None":
        """Return the member on call at ``at``, or None (no rota, an empty one, or not started yet)."""
        rota = getattr(self, "rota", None)
        shift = rota.shift_at(at) if rota else None
        return shift.member if shift else None


class Rota(models.Model):
    """A team's weekly rota; handovers are wall-clock times in the rota's zone."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="rota")
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_zone_name])
    handover_weekday = models.PositiveSmallIntegerField(
        choices=[(index, day.title()) for index, day in enumerate(WEEKDAYS)], default=0
    )
    handover_time = models.TimeField(default="09:00")
    start_date = models.DateField(help_text="The first shift starts at the first handover on or after this date.")
    members = models.ManyToManyField(Member, through="RotaMembership", related_name="rotas")

    def __str__(self) -> str:
        return f"{self.team} rota"

    def plan(self) -> RotaPlan:
        ordered = [row.member for row in self.memberships.select_related("member").order_by("position")]
        return RotaPlan(
            zone=get_zone(self.time_zone),
            handover_weekday=self.handover_weekday,
            handover_time=self.handover_time,
            start_date=self.start_date,
            members=ordered,
        )

    def shift_at(self, at) -> Shift | None:
        return self.plan().shift_at(at)


class RotaMembership(models.Model):
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
