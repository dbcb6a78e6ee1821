from django import forms

from oohdesk.tickets.models import Ticket

YES_NO = [("yes", "Yes"), ("no", "No")]

SITE_DOWN_QUESTION = (
    "Is your site completely down, unable to take payments, or is key functionality failing?"
)
AFFECTS_HALF_QUESTION = "Does the issue affect 50% or more of your users?"


class IssueReportForm(forms.ModelForm):
    """The Issue Report: the form page and the JSON API both validate with this."""

    site_down = forms.ChoiceField(
        label=SITE_DOWN_QUESTION,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Answer Yes or No.", "invalid_choice": "Answer Yes or No."},
    )
    affects_half = forms.ChoiceField(
        label=AFFECTS_HALF_QUESTION,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Answer Yes or No.", "invalid_choice": "Answer Yes or No."},
    )

    class Meta:
        model = Ticket
        fields = [
            "reporter_name",
            "reporter_email",
            "reporter_phone",
            "organisation",
            "site",
            "summary",
            "description",
        ]
        labels = {
            "reporter_name": "Your name",
            "reporter_email": "Your email address",
            "reporter_phone": "Your phone number",
            "organisation": "Your organisation",
            "site": "Site or URL affected",
            "summary": "Summary",
            "description": "What is happening?",
        }
        help_texts = {
            "reporter_phone": "So the developer can call you back if needed.",
            "summary": "One line, for example: checkout fails with an error.",
            "description": "What you see, since when, and what you have tried.",
        }
        widgets = {
            "reporter_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "reporter_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "reporter_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

        error_messages = {
            "reporter_name": {"required": "Enter your name."},
            "reporter_email": {
                "required": "Enter your email address.",
                "invalid": "Enter a valid email address, such as name@example.com.",
            },
            "reporter_phone": {"required": "Enter a phone number we can call you back on."},
            "organisation": {"required": "Enter the name of your organisation."},
            "site": {"required": "Enter the site or URL affected."},
            "summary": {"required": "Enter a one-line summary."},
            "description": {"required": "Describe what is happening."},
        }

    def clean_reporter_phone(self) -> str:
        phone = self.cleaned_data["reporter_phone"].strip()
        digits = [char for char in phone if char.isdigit()]
        if len(digits) < 7 or any(char not in "0123456789+ ()-." for char in phone):
            raise forms.ValidationError("Enter a phone number with at least 7 digits, such as 020 7946 0000.")
        return phone

    def clean_organisation(self) -> str:
        # One spelling per organisation, so reports and the misuse signal group them together.
        return " ".join(self.cleaned_data["organisation"].split())

    def answers(self) -> tuple[bool, bool]:
        return self.cleaned_data["site_down"] == "yes", self.cleaned_data["affects_half"] == "yes"
