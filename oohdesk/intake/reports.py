"""A report read from a helpdesk, and how it becomes an Issue Report form.

Helpdesks are lenient where the Issue Report form is strict, because nobody is
there to correct a field: a missing or unusable phone number, site or
organisation is left empty and the report is filed anyway. Only the two
answers decide whether a report can be filed. A missing or unreadable answer
next to a Yes is read as No, so the report is at least P2 and pages; without
any Yes the priority cannot be known, and the report is rejected with the
customer and the admins told why.
"""

from dataclasses import dataclass, field, replace

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.html import strip_tags
from html import unescape

from oohdesk.tickets.forms import IssueReportForm
from oohdesk.tickets.models import Ticket

YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}

# Fields the helpdesk form may leave empty; the two answers and the summary stay required.
OPTIONAL_FIELDS = ("reporter_name", "reporter_email", "reporter_phone", "organisation", "site", "description")


class UnreadableReport(Exception):
    """A helpdesk report that cannot be filed.

    The message is for the admins. ``report`` contains what could be read,
    to reach the customer, and ``customer_reason`` is what they are told.
    """

    def __init__(self, message: str, report: "HelpdeskReport | None" = None, customer_reason: str = ""):
        super().__init__(message)
        self.report = report
        self.customer_reason = customer_reason or "its details could not be read."


def read_answer(value) -> bool | None:
    """Read a Yes/No answer sent as a boolean or as text such as "Yes", "no" or "true"; None if missing or unreadable."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
    return None


def plain_text(html_or_text) -> str:
    """Return helpdesk text without HTML tags or entities; anything that is not a string becomes empty."""
    if not isinstance(html_or_text, str):
        return ""
    return unescape(strip_tags(html_or_text.replace("</p>", "</p>\n").replace("<br>", "\n"))).strip()


def text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class HelpdeskReport:
    """A new report as a helpdesk sent it, before validation."""

    source: str
    object_type: str
    object_id: str
    summary: str
    site_down: bool | None
    affects_half: bool | None
    reporter_name: str = ""
    reporter_email: str = ""
    reporter_phone: str = ""
    organisation: str = ""
    site: str = ""
    description: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def idempotency_key(self) -> str:
        """One ticket per helpdesk object, however many notifications arrive about it."""
        return f"{self.source}:{self.object_type}:{self.object_id}"

    def with_answers_read(self) -> "HelpdeskReport":
        """Apply the rule for missing answers (see the module docstring); raise UnreadableReport without any Yes."""
        answers = (self.site_down, self.affects_half)
        if None not in answers:
            return self
        if True not in answers:
            raise UnreadableReport(
                "The answers to the two questions are missing or unreadable, so the priority cannot be decided.",
                self,
                customer_reason="your answers to the two questions are missing or could not be read.",
            )
        note = "One of the two answers was missing or unreadable and has been read as No."
        return replace(
            self,
            site_down=bool(self.site_down),
            affects_half=bool(self.affects_half),
            notes=(*self.notes, note),
        )

    def form_data(self) -> dict:
        description = "\n\n".join(part for part in (self.description, *self.notes) if part)
        return {
            "reporter_name": _fit("reporter_name", self.reporter_name),
            "reporter_email": self.reporter_email if _is_email(self.reporter_email) else "",
            "reporter_phone": _fit("reporter_phone", self.reporter_phone),
            "organisation": _fit("organisation", self.organisation or _email_domain(self.reporter_email)),
            "site": _fit("site", self.site),
            "summary": _fit("summary", self.summary) or f"Report from {self.source.title()} {self.object_type} {self.object_id}",
            "description": _fit("description", description),
            "site_down": "yes" if self.site_down else "no",
            "affects_half": "yes" if self.affects_half else "no",
        }


def _fit(name: str, value: str) -> str:
    return value[: Ticket._meta.get_field(name).max_length]


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return len(value) <= Ticket._meta.get_field("reporter_email").max_length


def _email_domain(email: str) -> str:
    return email.rpartition("@")[2] if _is_email(email) else ""


class HelpdeskReportForm(IssueReportForm):
    """The Issue Report with only the answers and the summary required, for reports nobody can correct."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in OPTIONAL_FIELDS:
            self.fields[name].required = False

    def clean_reporter_phone(self) -> str:
        try:
            return super().clean_reporter_phone()
        except forms.ValidationError:
            # An unusable number is dropped rather than holding up the report.
            return ""
