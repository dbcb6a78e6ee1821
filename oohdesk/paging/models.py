from django.db import models

from oohdesk.rota.models import Member, Team
from oohdesk.security.masking import mask_destination
from oohdesk.tickets.models import Ticket


class EscalationPolicy(models.Model):
    """The order of escalation steps and the acknowledgement timeout each step waits, per priority."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    p1_ack_timeout = models.PositiveIntegerField(default=300, help_text="Seconds each step waits on a P1 page.")
    p2_ack_timeout = models.PositiveIntegerField(default=900, help_text="Seconds each step waits on a P2 page.")
    repeat_count = models.PositiveSmallIntegerField(
        default=2, help_text="How many times the steps run again before every admin is alerted."
    )
    p1_response_target = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds of clock time to respond to a P1 ticket; empty for no target."
    )
    p2_response_target = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds of clock time to respond to a P2 ticket; empty for no target."
    )
    p3_response_target = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Seconds of working time, in the team's calendar, to respond to a P3 ticket; empty for no target.",
    )

    class Meta:
        verbose_name_plural = "escalation policies"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(p1_ack_timeout__gt=0), name="policy_p1_timeout_positive"),
            models.CheckConstraint(condition=models.Q(p2_ack_timeout__gt=0), name="policy_p2_timeout_positive"),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{priority}_response_target__gt": 0}),
                    name=f"policy_{priority}_response_target_positive",
                )
                for priority in ("p1", "p2", "p3")
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ack_timeout(self, priority: str) -> int:
        return self.p1_ack_timeout if priority == "P1" else self.p2_ack_timeout

    def response_target(self, priority: str) -> int | None:
        """Return the priority's response target in seconds (working seconds for P3), or None."""
        return {"P1": self.p1_response_target, "P2": self.p2_response_target, "P3": self.p3_response_target}.get(priority)


class EscalationStep(models.Model):
    class Target(models.TextChoices):
        ON_CALL = "on_call", "The developer on call"
        NEXT_IN_ROTA = "next_in_rota", "The next developer in the rota"
        TEAM_LEAD = "team_lead", "The team lead"

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    target = models.CharField(max_length=32, choices=Target.choices)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["policy", "position"], name="step_position_unique")]

    def __str__(self) -> str:
        return f"{self.position + 1}. {self.get_target_display()}"


class ContactMethod(models.Model):
    """One way to reach a member, such as a Pushover user key or a phone number for calls.

    Without notification rules for a priority, methods are tried in ``position``
    order, each after its ``delay_seconds``. A method of a kind that needs
    verification pages nobody until the member has entered the code sent to it.
    A provider's permanent refusal marks it broken until it is verified again.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="contact_methods")
    kind = models.CharField(max_length=32)
    address = models.CharField(max_length=200, blank=True)
    delay_seconds = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    verified_at = models.DateTimeField(null=True, blank=True)
    verification_code_hash = models.CharField(max_length=64, blank=True)
    verification_sent_at = models.DateTimeField(null=True, blank=True)
    verification_failures = models.PositiveSmallIntegerField(default=0)
    broken_at = models.DateTimeField(
        null=True, blank=True, help_text="When a provider refused this address for good; empty while it works."
    )
    broken_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["member", "position"]

    def __str__(self) -> str:
        return f"{self.kind} {self.address}".strip()

    @property
    def masked_address(self) -> str:
        from oohdesk.paging.channels import mask_destination

        return mask_destination(self.kind, self.address)

    @property
    def needs_verification(self) -> bool:
        from oohdesk.paging.channels import CHANNELS

        channel = CHANNELS.get(self.kind)
        return bool(channel and channel.needs_verification)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None or not self.needs_verification

    @property
    def is_usable(self) -> bool:
        """Whether this method may carry a page: verified (or of a kind that needs no code) and not broken."""
        return self.is_verified and self.broken_at is None


class NotificationRule(models.Model):
    """One entry of a member's ordered notification rules for one priority: which method, after how long.

    A member with no rules for a priority is notified on every contact method,
    each after its own delay.
    """

    class Priority(models.TextChoices):
        P1 = "P1", "P1, Critical"
        P2 = "P2", "P2, High"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notification_rules")
    priority = models.CharField(max_length=2, choices=Priority.choices)
    contact_method = models.ForeignKey(ContactMethod, on_delete=models.CASCADE, related_name="rules")
    delay_seconds = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["member", "priority", "position"]
        constraints = [
            models.UniqueConstraint(fields=["member", "priority", "position"], name="rule_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.priority}: {self.contact_method} after {self.delay_seconds} s"


class AnnouncementChannel(models.Model):
    """A team chat channel (through Apprise) or an outgoing webhook that hears about pages.

    It is never the only way a page is sent, because none of these gets past
    Do Not Disturb. An empty team means every team.
    """

    class Kind(models.TextChoices):
        APPRISE = "apprise", "Chat through Apprise"
        WEBHOOK = "webhook", "Outgoing webhook"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    url = models.CharField(max_length=1000, help_text="An Apprise URL such as slack://..., or the webhook's https:// URL.")
    secret = models.CharField(max_length=200, blank=True, help_text="The webhook's signing secret.")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="announcement_channels")

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class TestPage(models.Model):
    """A page a member sends to themselves to prove it gets through Do Not Disturb."""

    # Not a test case, although pytest collects classes named Test*.
    __test__ = False

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="test_pages")
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_via = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Test page for {self.member}"


class Page(models.Model):
    """The paging of one urgent ticket, from the first notification to acknowledgement."""

    class Status(models.TextChoices):
        TRIGGERED = "triggered", "Triggered"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="page")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="pages")
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.PROTECT, related_name="pages")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TRIGGERED)
    created_at = models.DateTimeField()

    step_index = models.PositiveSmallIntegerField(default=0)
    round = models.PositiveSmallIntegerField(default=0)
    step_due_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current step times out; empty once escalation has ended."
    )
    admins_alerted_at = models.DateTimeField(null=True, blank=True)

    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="acknowledged_pages"
    )
    acknowledged_via = models.CharField(max_length=32, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "step_due_at"])]

    def __str__(self) -> str:
        return f"Page for {self.ticket.ref}"


class PageEvent(models.Model):
    """One line of a page's timeline."""

    class Kind(models.TextChoices):
        TRIGGERED = "triggered", "Triggered"
        STEP_STARTED = "step_started", "Step started"
        STEP_FAILED = "step_failed", "Step failed"
        NOTIFIED = "notified", "Notified"
        NOTIFY_FAILED = "notify_failed", "Notification failed"
        DELIVERY_UPDATE = "delivery_update", "Delivery update"
        METHOD_BROKEN = "method_broken", "Contact method broken"
        MEMBER_UNREACHABLE = "member_unreachable", "Member unreachable"
        WITHDRAWN = "withdrawn", "Notification withdrawn"
        ESCALATED = "escalated", "Escalated"
        ADMINS_ALERTED = "admins_alerted", "Admins alerted"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        ACK_IGNORED = "ack_ignored", "Acknowledgement ignored"
        RESOLVED = "resolved", "Resolved"
        PRIORITY_RAISED = "priority_raised", "Priority raised"
        REPORT_LINKED = "report_linked", "Further report linked"

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=32, choices=Kind.choices)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.CharField(max_length=500)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.message


class NotificationAttempt(models.Model):
    """One message to one contact method, saved before it is sent (an outbox row).

    The engine claims due pending rows, marks them sending with a lease, and
    records the provider's answer. A row left in sending after its lease ran
    out (the engine died mid-send) is claimed again, so delivery is at least
    once and a rare duplicate shows in the log.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Outcome unknown"
        CANCELLED = "cancelled", "Cancelled"

    class Purpose(models.TextChoices):
        PAGE = "page", "Page"
        ADMIN_ALERT = "admin_alert", "Admin alert"
        NOTICE = "notice", "Notice"
        REPAGE = "repage", "Page again at a raised priority"
        TEST = "test", "Test page"
        ANNOUNCEMENT = "announcement", "Announcement"

    page = models.ForeignKey(Page, null=True, blank=True, on_delete=models.CASCADE, related_name="attempts")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts")
    contact_method = models.ForeignKey(
        ContactMethod, null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    test_page = models.ForeignKey(TestPage, null=True, blank=True, on_delete=models.CASCADE, related_name="attempts")
    announcement_channel = models.ForeignKey(
        AnnouncementChannel, null=True, blank=True, on_delete=models.CASCADE, related_name="attempts"
    )
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.PAGE)
    # The page event an announcement reports, such as "page.step_started".
    event = models.CharField(max_length=32, blank=True)
    channel = models.CharField(max_length=32)
    destination = models.CharField(max_length=200, blank=True)
    step_index = models.PositiveSmallIntegerField(default=0)
    round = models.PositiveSmallIntegerField(default=0)
    # A notice carries its own words; a page's words come from its ticket.
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)

    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    provider_response = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # The code an SMS reply must carry to acknowledge, such as 4821 in "ACK 4821".
    reply_code = models.CharField(max_length=8, blank=True)
    delivery_status = models.CharField(
        max_length=32, blank=True, help_text="The provider's latest status from its callbacks, such as delivered or no-answer."
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            # Two engines escalating the same page at once cannot both queue a step,
            # and a raised priority pages each contact method once per step.
            models.UniqueConstraint(
                fields=["page", "contact_method", "step_index", "round", "purpose"],
                name="attempt_once_per_step_and_purpose",
            ),
        ]

    def __str__(self) -> str:
        # Shown in the admin's delivery log, so the address is masked.
        return f"{self.channel} to {self.member or mask_destination(self.destination)}"

    @property
    def masked_destination(self) -> str:
        from oohdesk.paging.channels import mask_destination

        return mask_destination(self.channel, self.destination)


class ProviderTask(models.Model):
    """Follow-up work on a sent notification, claimed by the engine like an attempt.

    ``poll`` asks the provider whether the notification was acknowledged (the
    fallback when its callback does not arrive); ``withdraw`` stops a
    notification still ringing or repeating after the page was acknowledged.
    """

    class Action(models.TextChoices):
        POLL = "poll", "Poll for acknowledgement"
        WITHDRAW = "withdraw", "Withdraw"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    attempt = models.ForeignKey(NotificationAttempt, on_delete=models.CASCADE, related_name="tasks")
    action = models.CharField(max_length=16, choices=Action.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [models.UniqueConstraint(fields=["attempt", "action"], name="task_once_per_attempt")]

    def __str__(self) -> str:
        return f"{self.action} {self.attempt}"


class DemoPhoneMessage(models.Model):
    """A notification shown on a member's demo phone page instead of a real device."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="demo_phone_messages")
    attempt = models.OneToOneField(
        NotificationAttempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="demo_phone_message"
    )
    page = models.ForeignKey(Page, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField()
    urgent = models.BooleanField(default=False)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at", "-id"]


class ResponseTarget(models.Model):
    """When a ticket is due a response, and whether the team has been reminded.

    ``remind_at`` is the first working instant at or after ``due_at`` in the
    team's calendar, so a reminder never fires out of hours.
    """

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="response_target")
    due_at = models.DateTimeField()
    remind_at = models.DateTimeField(null=True, blank=True, help_text="Empty when the calendar never opens again.")
    reminded_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["reminded_at", "remind_at"])]

    def __str__(self) -> str:
        return f"Response to {self.ticket.ref} due {self.due_at:%Y-%m-%d %H:%M} UTC"


class EngineHeartbeat(models.Model):
    """The last time each engine process completed a loop, for health checks."""

    name = models.CharField(max_length=200, primary_key=True)
    seen_at = models.DateTimeField()
