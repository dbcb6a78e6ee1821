import secrets

from django.conf import settings
from django.db import models

from oohdesk.rota.models import Team
from oohdesk.tickets.triage import URGENT, Priority

# Letters and digits that cannot be mistaken for each other when read out on a call.
REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "OOH-" + "".join(secrets.choice(REF_ALPHABET) for _ in range(6))


def new_drill_reference() -> str:
    """Return a reference for a drill ticket; the prefix labels it as a drill in every message that quotes it."""
    return "DRILL-" + "".join(secrets.choice(REF_ALPHABET) for _ in range(6))


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

    class SpamCheck(models.TextChoices):
        NOT_CHECKED = "", "Not checked"
        PASSED = "passed", "Passed"
        UNVERIFIED = "unverified", "Unverified: the browser did not solve the spam challenge"

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
    spam_check = models.CharField(
        max_length=16,
        choices=SpamCheck.choices,
        default=SpamCheck.NOT_CHECKED,
        blank=True,
        help_text="The form's proof-of-work spam check; reports from the API are not checked.",
    )

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
    genuine = models.BooleanField(
        null=True, blank=True, help_text="Whether a developer judged the report a genuine emergency; empty until judged."
    )
    deferred_at = models.DateTimeField(
        null=True, blank=True, help_text="When a developer deferred the ticket to working hours (release_at says until when)."
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    drill = models.ForeignKey(
        "tickets.Drill", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    is_drill = models.BooleanField(default=False, help_text="A practice report: it notifies only the drill's chosen person.")

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "release_at"]),
            models.Index(fields=["organisation", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.summary}"

    @property
    def is_urgent(self) -> bool:
        return self.priority in URGENT

    @property
    def reported_urgent(self) -> bool:
        """Return whether the customer's own answers made this an urgent (P1 or P2) report."""
        return self.site_down or self.affects_half

    @property
    def is_deferred(self) -> bool:
        return self.status == self.Status.HELD and self.deferred_at is not None


class AuditEntry(models.Model):
    """One action on a ticket: who did what, when, and from which channel. Never changed once written."""

    class Action(models.TextChoices):
        RECEIVED = "received", "Report received"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        ACK_IGNORED = "ack_ignored", "Acknowledgement ignored"
        RESOLVED = "resolved", "Resolved"
        DEFERRED = "deferred", "Deferred to working hours"
        PRIORITY_RAISED = "priority_raised", "Priority raised"
        PRIORITY_LOWERED = "priority_lowered", "Priority lowered"
        NOTE_ADDED = "note_added", "Internal note"
        REPLIED = "replied", "Reply to the customer"
        JUDGED_GENUINE = "judged_genuine", "Judged a genuine emergency"
        JUDGED_NOT_GENUINE = "judged_not_genuine", "Judged not a genuine emergency"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="audit_entries")
    at = models.DateTimeField()
    action = models.CharField(max_length=32, choices=Action.choices)
    actor_member = models.ForeignKey(
        "rota.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as written, so the trail still names the person after their records are deleted.
    actor_name = models.CharField(max_length=150)
    channel = models.CharField(
        max_length=32, help_text="Where the action came from, such as dashboard, link, api, demo_phone or form."
    )
    text = models.TextField(blank=True, help_text="The reason, note or reply given with the action.")
    old_value = models.CharField(max_length=16, blank=True)
    new_value = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.ticket.ref} {self.get_action_display()} by {self.actor_name}"


class Drill(models.Model):
    """A practice run: reports sent through its private link page only ``member``, labelled as a drill."""

    token = models.CharField(max_length=64, unique=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="drills")
    member = models.ForeignKey(
        "rota.Member", on_delete=models.CASCADE, related_name="drills", help_text="The only person the drill notifies."
    )
    label = models.CharField(max_length=100, help_text="Who the drill is for, such as a customer or a new developer.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Drill for {self.label}"

    def is_open(self, at) -> bool:
        return at < self.expires_at


class MisuseAlert(models.Model):
    """A record that the support lead was told an organisation's urgent reports are often not genuine."""

    organisation = models.CharField(max_length=100)
    raised_at = models.DateTimeField()
    not_genuine_count = models.PositiveIntegerField()
    limit = models.PositiveIntegerField()
    period_days = models.PositiveIntegerField()

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["organisation", "raised_at"])]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.not_genuine_count} not genuine in {self.period_days} days"
