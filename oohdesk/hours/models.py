from django.core.exceptions import ValidationError
from django.db import models

from oohdesk.hours.calendar import MIDNIGHT, Interval, WorkingHours
from oohdesk.zones import get_zone, is_valid_zone

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def validate_zone_name(value: str) -> None:
    if not is_valid_zone(value):
        raise ValidationError(f"{value!r} is not an IANA time zone; use a name such as Europe/London.")


class BusinessCalendar(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_zone_name])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self):
        return get_zone(self.time_zone)

    def working_hours(self) -> WorkingHours:
        """Build the calendar's working hours from its stored opening intervals."""
        intervals = [
            Interval(weekday=row.weekday, opens=row.opens, closes=row.closes)
            for row in self.openings.all()
        ]
        return WorkingHours(self.zone, intervals)


class OpeningInterval(models.Model):
    """A weekly opening in the calendar's wall-clock time; 00:00 as ``closes`` means midnight."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="openings")
    weekday = models.PositiveSmallIntegerField(choices=[(index, day.title()) for index, day in enumerate(WEEKDAYS)])
    opens = models.TimeField()
    closes = models.TimeField(help_text="Exclusive. 00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["weekday", "opens"]

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday].title()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.closes != MIDNIGHT and self.closes <= self.opens:
            raise ValidationError({"closes": "Closing time must be after opening time (use 00:00 for midnight)."})
