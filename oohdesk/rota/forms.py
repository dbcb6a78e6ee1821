"""Forms of the rota pages. Times are typed in the viewer's zone and stored in UTC by the fold=0 rule."""

from django import forms

from oohdesk.rota.models import Member
from oohdesk.zones import is_valid_zone, parse_instant

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class LocalDateTimeField(forms.CharField):
    """A date and time in the form's zone; a time the clocks skip or repeat follows the fold=0 rule."""

    widget = DATETIME_WIDGET

    def __init__(self, *args, zone=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_instant(value, self.zone)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class ZonedForm(forms.Form):
    """A form whose LocalDateTimeFields read times in ``zone``."""

    def __init__(self, *args, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        for field in self.fields.values():
            if isinstance(field, LocalDateTimeField):
                field.zone = zone


def member_choices(members) -> list[tuple[str, str]]:
    return [("", "Choose a member")] + [(str(member.id), f"{member.name} <{member.email}>") for member in members]


class OverrideForm(ZonedForm):
    member = forms.ChoiceField(label="Who is on call")
    starts_at = LocalDateTimeField(label="From")
    ends_at = LocalDateTimeField(label="Until", help_text="Exclusive: the override ends just before this time.")
    note = forms.CharField(label="Note", required=False, max_length=200, help_text="For example: holiday cover.")

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(member.id): member for member in members}
        self.fields["member"].choices = member_choices(members)

    def clean_member(self) -> Member:
        return self.members[self.cleaned_data["member"]]


class SwapForm(ZonedForm):
    KIND_CHOICES = [("cover", "Ask them to cover part of my shift"), ("swap", "Trade part of my shift for part of theirs")]

    kind = forms.ChoiceField(label="Request", choices=KIND_CHOICES, widget=forms.RadioSelect, initial="cover")
    counterpart = forms.ChoiceField(label="Ask")
    give_starts_at = LocalDateTimeField(label="My time they take: from")
    give_ends_at = LocalDateTimeField(label="until")
    take_starts_at = LocalDateTimeField(label="For a trade, their time I take: from", required=False)
    take_ends_at = LocalDateTimeField(label="until", required=False)
    note = forms.CharField(label="Note", required=False, max_length=200)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(member.id): member for member in members}
        self.fields["counterpart"].choices = member_choices(members)

    def clean_counterpart(self) -> Member:
        return self.members[self.cleaned_data["counterpart"]]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == "swap":
            for name in ("take_starts_at", "take_ends_at"):
                if name in cleaned and cleaned[name] is None:
                    self.add_error(name, "A trade needs the other member's time too; fill in both times.")
        return cleaned


class ZoneForm(forms.Form):
    time_zone = forms.CharField(
        label="Your time zone",
        max_length=64,
        help_text="An IANA name such as Europe/London or America/New_York. Times shown to you and sent to you use it.",
    )

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        if not is_valid_zone(value):
            raise forms.ValidationError(f"{value!r} is not an IANA time zone; use a name such as Europe/London.")
        return value
