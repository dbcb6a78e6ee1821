from django.db import models

from oohdesk.tickets.models import Ticket


class KnownOrganisation(models.Model):
    """A customer organisation; reports from its contacts or email domains are marked verified."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class KnownDomain(models.Model):
    """An email domain, such as acme.example, whose every address belongs to one organisation."""

    organisation = models.ForeignKey(KnownOrganisation, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=200, unique=True, help_text="Stored in lower case, without the @.")

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lstrip("@").lower()
        super().save(*args, **kwargs)


class KnownContact(models.Model):
    """A person at a customer organisation, known by email address."""

    organisation = models.ForeignKey(KnownOrganisation, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(unique=True, help_text="Stored in lower case.")

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class Source(models.TextChoices):
    INTERCOM = "intercom", "Intercom"
    ZENDESK = "zendesk", "Zendesk"


class WebhookDelivery(models.Model):
    """One signed webhook request from a helpdesk, stored before it is answered.

    The view only checks the signature and saves this row; the engine turns it
    into a ticket afterwards, so a crash or a failed step loses nothing. The
    unique (source, delivery_id) pair makes a redelivery, even one arriving at
    the same moment as the first, store nothing new.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored: not an Issue Report"
        REJECTED = "rejected", "Rejected: could not be read"
        FAILED = "failed", "Failed after retries"

    source = models.CharField(max_length=16, choices=Source.choices)
    delivery_id = models.CharField(
        max_length=200, help_text="Intercom's notification id or Zendesk's invocation id."
    )
    topic = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField()
    body = models.TextField(help_text="The raw request body, exactly as signed.")
    headers = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            models.UniqueConstraint(fields=["source", "delivery_id"], name="delivery_once_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.topic or 'delivery'} {self.delivery_id}"


class HelpdeskLink(models.Model):
    """The helpdesk ticket or conversation a ticket came from, so replies go back to the same thread."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="helpdesk_link")
    source = models.CharField(max_length=16, choices=Source.choices)
    object_type = models.CharField(max_length=32, help_text="For Intercom: ticket or conversation.")
    object_id = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "object_type", "object_id"], name="helpdesk_object_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.object_type} {self.object_id}"


class CustomerMessage(models.Model):
    """One message to a customer, by email or as an Intercom reply, saved before it is sent (an outbox row).

    The engine claims due rows under a lease, like notification attempts, so a
    crash between saving and sending delays the message but never loses it.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        INTERCOM = "intercom", "Intercom reply"

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Confirmation"
        NOTE = "note", "Internal note"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        DEFERRED = "deferred", "Deferred"
        RESOLVED = "resolved", "Resolved"
        REPLY = "reply", "Reply from the team"
        NOT_READ = "not_read", "Report could not be read"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="customer_messages")
    delivery = models.ForeignKey(
        WebhookDelivery, null=True, blank=True, on_delete=models.CASCADE, related_name="customer_messages"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    recipient = models.CharField(
        max_length=254, help_text="An email address, or the Intercom thread such as tickets/123."
    )
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    intercom_message_type = models.CharField(max_length=16, blank=True, help_text="comment or note.")
    # Makes queueing the same message twice (a signal sent again, a sweep
    # after a crash) store one row.
    dedupe_key = models.CharField(max_length=200, unique=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    provider_response = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.get_channel_display()} to {self.recipient}"
