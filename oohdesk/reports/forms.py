from datetime import date, timedelta

from django import forms

from oohdesk.reports.fairness import MAX_DAYS
from oohdesk.zones import is_valid_zone

# A year and a day, so a whole year of weeks fits.
MAX_PERIOD_DAYS = 366


class ReportForm(forms.Form):
    """The period of the well-being report, the start of the fairness count, and the zone of the weeks."""

    date_from = forms.DateField(label="From", error_messages={"invalid": "Enter a date such as 2026-03-02."})
    date_to = forms.DateField(label="To (included)", error_messages={"invalid": "Enter a date such as 2026-03-29."})
    since = forms.DateField(
        label="Rota fairness since", error_messages={"invalid": "Enter a date such as 2026-01-05."}
    )
    zone = forms.CharField(label="Time zone of the weeks", max_length=64)

    def clean_zone(self) -> str:
        zone = self.cleaned_data["zone"].strip()
        if not is_valid_zone(zone):
            raise forms.ValidationError(f"{zone!r} is not an IANA time zone; use a name such as Europe/London.")
        return zone

    def clean(self):
        cleaned = super().clean()
        first, last, since = cleaned.get("date_from"), cleaned.get("date_to"), cleaned.get("since")
        if first and last and last < first:
            self.add_error("date_to", "Choose an end date on or after the start date.")
        elif first and last and (last - first).days + 1 > MAX_PERIOD_DAYS:
            self.add_error("date_to", f"Choose a period of at most {MAX_PERIOD_DAYS} days.")
        if since and last and (last - since).days + 1 > MAX_DAYS:
            self.add_error("since", f"Choose a date at most {MAX_DAYS} days before the end date.")
        elif since and last and since > last:
            self.add_error("since", "Choose a date on or before the end date.")
        return cleaned


def default_data(today: date, zone: str) -> dict:
    """Return the default report: the four weeks before this one and this week so far, fairness over 12 weeks."""
    this_monday = today - timedelta(days=today.weekday())
    return {
        "date_from": (this_monday - timedelta(weeks=4)).isoformat(),
        "date_to": today.isoformat(),
        "since": (this_monday - timedelta(weeks=12)).isoformat(),
        "zone": zone,
    }
