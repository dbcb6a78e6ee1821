"""Forms for a calendar's closures and one-off openings, shared by the staff pages, the admin and the API."""

from django import forms

from oohdesk.hours.calendar import MIDNIGHT
from oohdesk.hours.models import BusinessCalendar, Closure, OneOffOpening, OpeningInterval

MIDNIGHT_ALIASES = {"24:00", "24:00:00"}

# ISO 8601 only, as the API documents, rather than the locale's day-first dates.
DATE_FORMATS = ["%Y-%m-%d"]
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]


class ClosingTimeField(forms.TimeField):
    """A closing time on the 24-hour clock, where 24:00 is accepted for midnight at the end of the day and stored as 00:00."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", TIME_FORMATS)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value.strip() in MIDNIGHT_ALIASES:
            return MIDNIGHT
        return super().to_python(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    def __init__(self):
        super().__init__(format="%H:%M", attrs={"placeholder": "HH:MM", "inputmode": "numeric"})


class StaffForm(forms.ModelForm):
    """A model form whose labels have no trailing colon, as on the other staff pages."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ClosureForm(StaffForm):
    first_day = forms.DateField(input_formats=DATE_FORMATS, widget=DateInput())
    last_day = forms.DateField(
        required=False,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        help_text="Inclusive. Leave empty for a closure of one day.",
    )

    class Meta:
        model = Closure
        fields = ["name", "first_day", "last_day"]
        help_texts = {"name": "Shown on the staff pages and in the API, such as Christmas shutdown."}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("first_day") and not cleaned.get("last_day"):
            cleaned["last_day"] = cleaned["first_day"]
        first_day, last_day = cleaned.get("first_day"), cleaned.get("last_day")
        calendar = self.instance.calendar if self.instance.calendar_id else None
        if calendar and first_day and last_day:
            same = Closure.objects.filter(calendar=calendar, first_day=first_day, last_day=last_day).first()
            if same:
                self.add_error(
                    "first_day",
                    f"The closure {same.name!r} already covers exactly these dates; change or remove it instead.",
                )
        return cleaned


class OneOffOpeningForm(StaffForm):
    date = forms.DateField(input_formats=DATE_FORMATS, widget=DateInput())
    opens = forms.TimeField(input_formats=TIME_FORMATS, widget=TimeInput())
    closes = ClosingTimeField(widget=TimeInput(), help_text="Exclusive. 24:00 means midnight at the end of the day.")

    class Meta:
        model = OneOffOpening
        fields = ["name", "date", "opens", "closes"]
        help_texts = {"name": "Why the calendar is open, such as Year-end support morning."}

    def __init__(self, *args, calendar: BusinessCalendar, **kwargs):
        super().__init__(*args, **kwargs)
        self.calendar = calendar
        self.instance.calendar = calendar

    def clean(self):
        cleaned = super().clean()
        day, opens, closes = cleaned.get("date"), cleaned.get("opens"), cleaned.get("closes")
        if None in (day, opens, closes):
            return cleaned
        for other in self.calendar.one_off_openings.filter(date=day).exclude(pk=self.instance.pk):
            if _overlap((opens, closes), (other.opens, other.closes)):
                raise forms.ValidationError(
                    f"This overlaps the one-off opening {other}; change the times or remove that opening first."
                )
        return cleaned


def _overlap(first, second) -> bool:
    def minutes(value, closing: bool) -> int:
        return 24 * 60 if closing and value == MIDNIGHT else value.hour * 60 + value.minute

    return minutes(first[0], False) < minutes(second[1], True) and minutes(second[0], False) < minutes(first[1], True)


class OpeningIntervalForm(forms.ModelForm):
    """The admin's form for weekly openings, so 24:00 works there too."""

    closes = ClosingTimeField(help_text="Exclusive. 24:00 or 00:00 means midnight at the end of the day.")

    class Meta:
        model = OpeningInterval
        fields = ["weekday", "opens", "closes"]


class RegionForm(forms.ModelForm):
    """The admin's form for a calendar, with the country code in capitals as the holidays package expects."""

    class Meta:
        model = BusinessCalendar
        fields = ["slug", "name", "time_zone", "country", "subdivision"]

    def clean_country(self):
        return self.cleaned_data["country"].strip().upper()

    def clean_subdivision(self):
        return self.cleaned_data["subdivision"].strip()
