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

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "release_at"])]

    def __str__(self) -> str:
        return f"{self.ref} {self.summary}"

    @property
    def is_urgent(self) -> bool:
        return self.priority in URGENT
