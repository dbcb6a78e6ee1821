"""Reading a posted ticket action and carrying it out, for the dashboard and for the links in a page.

Each action form posts ``action`` (one of ACTION_NAMES) and its own fields.
The page that shows the forms renders ``tickets/actions_panel.html`` with the
context from ``panel_context``.
"""

from dataclasses import dataclass, field
from datetime import datetime

from oohdesk.paging.models import Page
from oohdesk.tickets import actions
from oohdesk.tickets.actions import ActionError, Actor, Outcome
from oohdesk.tickets.models import Ticket
from oohdesk.tickets.triage import Priority

ACTION_NAMES = ("acknowledge", "resolve", "defer", "priority", "note", "reply", "judge")
# Actions whose form shows its own error; any other error shows above the panel.
FORMS_WITH_ERRORS = ("resolve", "defer", "priority", "note", "reply", "judge")


def perform(data, ticket: Ticket, at: datetime, actor: Actor, channel: str) -> Outcome:
    """Carry out the action named by ``data["action"]``; raise ActionError on bad input."""
    name = data.get("action", "")
    if name == "acknowledge":
        return actions.acknowledge_ticket(ticket, at, actor, channel)
    if name == "resolve":
        return actions.resolve(ticket, at, actor, channel, data.get("note", ""))
    if name == "defer":
        return actions.defer(ticket, at, actor, channel, data.get("reason", ""))
    if name == "priority":
        return actions.change_priority(ticket, at, actor, channel, data.get("priority", ""), data.get("reason", ""))
    if name == "note":
        return actions.add_note(ticket, at, actor, channel, data.get("text", ""))
    if name == "reply":
        return actions.reply(ticket, at, actor, channel, data.get("text", ""))
    if name == "judge":
        answer = data.get("genuine", "")
        if answer not in ("yes", "no"):
            raise ActionError("genuine", "Choose whether this was a genuine emergency: Yes or No.")
        return actions.judge(ticket, at, actor, channel, answer == "yes", data.get("reason", ""))
    raise ActionError("action", f"{name!r} is not an action; use one of: {', '.join(ACTION_NAMES)}.")


@dataclass
class PanelState:
    """What the actions panel shows: which forms, and the last failed post with its error."""

    ticket: Ticket
    page: Page | None
    failed_action: str = ""
    error: str = ""
    error_field: str | None = None
    posted: dict = field(default_factory=dict)

    @property
    def form_error(self) -> str:
        """Return the error to show inside the failed action's form: one about a field of that form."""
        return self.error if self.error_field and self.failed_action in FORMS_WITH_ERRORS else ""

    @property
    def top_error(self) -> str:
        """Return the error to show above the panel: one about the ticket as a whole or an unknown action."""
        return "" if self.form_error else self.error

    @property
    def can_acknowledge(self) -> bool:
        return self.page is not None and self.page.status == Page.Status.TRIGGERED

    @property
    def open(self) -> bool:
        return self.ticket.status != Ticket.Status.RESOLVED

    @property
    def can_defer(self) -> bool:
        return self.open and not self.ticket.is_deferred

    @property
    def can_judge(self) -> bool:
        return self.ticket.reported_urgent or self.ticket.is_urgent

    @property
    def other_priorities(self) -> list[Priority]:
        return [priority for priority in Priority if priority != self.ticket.priority]


def panel_context(ticket: Ticket, failure: ActionError | None = None, action: str = "", posted=None) -> dict:
    """Return the template context for the actions panel, with the error of a failed post if any."""
    state = PanelState(ticket=ticket, page=Page.objects.filter(ticket=ticket).first())
    if failure is not None:
        state.failed_action = action
        state.error = failure.message
        state.error_field = failure.field
        state.posted = {key: posted.get(key, "") for key in ("note", "reason", "text", "priority", "genuine")}
    return {"panel": state}
