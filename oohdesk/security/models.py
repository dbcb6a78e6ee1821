from django.db import models


class RateLimitWindow(models.Model):
    """Hits on one rate-limit key in one fixed window; shared by every web process through the database.

    ``key`` is a kind and a hash, such as ``ip:3f2a...``, so no IP address or
    organisation name is stored in the clear.
    """

    key = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="rate_limit_window_unique")]
        indexes = [models.Index(fields=["window_start"])]


class SpentChallenge(models.Model):
    """A solved proof-of-work challenge, kept until it expires so the same solution cannot be sent twice."""

    challenge = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)


class RejectedReport(models.Model):
    """A report turned away by a rate limit or the spam guard, recorded without the reporter's details.

    These are listed in the admin and counted in /metrics, so a genuine
    urgent report that was refused does not go unnoticed.
    """

    class Reason(models.TextChoices):
        RATE_LIMIT_IP = "rate_limit_ip", "Too many reports from one network"
        RATE_LIMIT_UNVERIFIED = "rate_limit_unverified", "Too many unverified reports from one network"
        RATE_LIMIT_ORGANISATION = "rate_limit_organisation", "Too many reports for one organisation"
        HONEYPOT = "honeypot", "Hidden spam-trap field filled in"

    at = models.DateTimeField()
    reason = models.CharField(max_length=32, choices=Reason.choices)
    source = models.CharField(max_length=16)
    priority = models.CharField(max_length=2, blank=True)
    team_slug = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.priority or 'no priority'}, {self.source})"
