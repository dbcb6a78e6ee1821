from django.core.exceptions import ValidationError
from django.db import models

from oohdesk.hours.calendar import MIDNIGHT, Interval, WorkingHours
from oohdesk.hours.closures import ClosedPeriod, Closures, Source
from oohdesk.hours.regions import RegionError, check_region, region_label
from oohdesk.zones import get_zone, is_valid_zone

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

CLOSES_HELP = "Exclusive. 00:00 (or 24:00) means midnight at the end of the day."


def validate_zone_name(value: str) -> None:
    if not is_valid_zone(value):
        raise ValidationError(f"{value!r} is not an IANA time zone; use a name such as Europe/London.")


def check_closes_after_opens(opens, closes, field: str = "closes") -> None:
    """Raise ValidationError on ``field`` unless ``closes`` is after ``opens`` or is midnight."""
    if opens is not None and closes is not None and closes != MIDNIGHT and closes <= opens:
        raise ValidationError({field: "Closing time must be after opening time (use 24:00 or 00:00 for midnight)."})


class BusinessCalendar(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_zone_name])
    country = models.CharField(
        max_length=2,
        blank=True,
        help_text="ISO 3166-1 country code whose public holidays close this calendar, such as GB. Empty for none.",
    )
    subdivision = models.CharField(
        max_length=10,
        blank=True,
        help_text="The part of the country whose holidays apply: for GB one of ENG, WLS, SCT or NIR.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            check_region(self.country, self.subdivision)
        except RegionError as error:
            message = str(error)
            raise ValidationError({error.field: f"{message[0].upper()}{message[1:]}."}) from None

    @property
    def zone(self):
        return get_zone(self.time_zone)

    @property
    def region_label(self) -> str:
        return region_label(self.country, self.subdivision)

    def closures_in_force(self) -> Closures:
        """Return the calendar's closed days: its region's public holidays and its agency closures."""
        agency = [
            ClosedPeriod(row.first_day, row.last_day, row.name, Source.AGENCY, row.id) for row in self.closures.all()
        ]
        return Closures(self.country, self.subdivision, agency)

    def working_hours(self, closures: Closures | None = None) -> WorkingHours:
        """Build the calendar's working hours from its openings, closures and one-off openings.

        Every answer about working time (the form, the API, the command line
        and the engine) comes from the object this returns.
        """
        intervals = [
            Interval(weekday=row.weekday, opens=row.opens, closes=row.closes)
            for row in self.openings.all()
        ]
        one_off: dict = {}
        for row in self.one_off_openings.all():
            one_off.setdefault(row.date, []).append((row.opens, row.closes))
        closures = closures or self.closures_in_force()
        return WorkingHours(self.zone, intervals, closures.is_closed, one_off)


class OpeningInterval(models.Model):
    """A weekly opening in the calendar's wall-clock time; 00:00 as ``closes`` means midnight."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="openings")
    weekday = models.PositiveSmallIntegerField(choices=[(index, day.title()) for index, day in enumerate(WEEKDAYS)])
    opens = models.TimeField()
    closes = models.TimeField(help_text=CLOSES_HELP)

    class Meta:
        ordering = ["weekday", "opens"]

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday].title()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        check_closes_after_opens(self.opens, self.closes)


class Closure(models.Model):
    """The agency's own closure of a calendar, such as a Christmas shutdown or a staff day."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="closures")
    name = models.CharField(max_length=100)
    first_day = models.DateField()
    last_day = models.DateField(help_text="Inclusive: the calendar is closed all of this day too.")

    class Meta:
        ordering = ["first_day", "last_day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")), name="closure_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        if self.first_day == self.last_day:
            return f"{self.name} ({self.first_day:%Y-%m-%d})"
        return f"{self.name} ({self.first_day:%Y-%m-%d} to {self.last_day:%Y-%m-%d})"

    def clean(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": "The last day must be on or after the first day."})


class OneOffOpening(models.Model):
    """Working hours on one date that replace its usual hours, its public holiday and any closure.

    A date may have several one-off openings (a lunch break); together they are
    the day's only working hours.
    """

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="one_off_openings")
    name = models.CharField(max_length=100)
    date = models.DateField()
    opens = models.TimeField()
    closes = models.TimeField(help_text=CLOSES_HELP)

    class Meta:
        ordering = ["date", "opens"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date", "opens"], name="one_off_opening_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%Y-%m-%d} {self.opens:%H:%M}-{self.closes:%H:%M})"

    def clean(self) -> None:
        check_closes_after_opens(self.opens, self.closes)
