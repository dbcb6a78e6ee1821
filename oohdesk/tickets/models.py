import secrets

from django.db import models

from oohdesk.rota.models import Team
from oohdesk.tickets.triage import URGENT, Priority

# Letters and digits that cannot be mistaken for each other when read out on a call.
REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "OOH-" + "".join(secrets.choice(REF_ALPHABET) for _ in range(6))


class Ticket(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        HELD = "held", "Held until working hours"
        RESOLVED = "resolved", "Resolved"

    class Source(models.TextChoices):
        FORM = "form", "Issue Report form"
        API = "api", "JSON API"
        INTERCOM = "intercom", "Intercom"
        ZENDESK = "zendesk", "Zendesk"

    ref = models.CharField(max_length=16, unique=True, default=new_reference)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="tickets")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.FORM)

    reporter_name = models.CharField(max_length=100)
    reporter_email = models.EmailField()
    reporter_phone = models.CharField(max_length=32)
    organisation = models.CharField(max_length=100)
    site = models.CharField(max_length=200)
    summary = models.CharField(max_length=200)
    description = models.TextField(max_length=10000)
    site_down = models.BooleanField()
    affects_half = models.BooleanField()

    priority = models.CharField(max_length=2, choices=Priority.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    received_at = models.DateTimeField()
    out_of_hours = models.BooleanField()
    release_at = models.DateTimeField(
        null=True, blank=True, help_text="When a held P3 ticket joins the working queue."
    )

    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)

    verified = models.BooleanField(
        default=False, help_text="Whether the reporter's address or email domain belongs to a known customer."
    )
    paging_limited = models.BooleanField(
        default=False,
        help_text="An urgent report from an unverified reporter that did not page because of the hourly limit.",
    )
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        help_text="The open ticket this report was linked to as a possible duplicate; it did not page.",
    )
    # A hash of team, organisation and site, set on the one open ticket that later
    # reports are linked to. The unique index makes two reports arriving at
    # once open one ticket between them, not two.
    duplicate_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "release_at"])]

    def __str__(self) -> str:
        return f"{self.ref} {self.summary}"

    @property
    def is_urgent(self) -> bool:
        return self.priority in URGENT
