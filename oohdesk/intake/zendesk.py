"""Zendesk: reading the JSON body a ticket trigger's webhook sends as a report.

A trigger's webhook body is written by the admin with placeholders, so its
shape is ours to choose; docs/integrations.md gives the body to paste. It
follows the field names of Zendesk's ticket JSON:

    {"ticket": {"id": ..., "subject": ..., "description": ..., "url": ...,
                "requester": {"name": ..., "email": ..., "phone": ...},
                "organization": {"name": ...},
                "custom_fields": [{"id": ..., "value": ...}, ...]}}

The custom fields named by OOHDESK_ZENDESK_SITE_DOWN_FIELD and
OOHDESK_ZENDESK_AFFECTS_HALF_FIELD hold the answers, and the optional
OOHDESK_ZENDESK_SITE_FIELD the site. Field ids are compared as text, because
a placeholder may render a number as a string.
"""

from django.conf import settings

from oohdesk.intake.models import Source
from oohdesk.intake.reports import HelpdeskReport, plain_text, read_answer, text


class InvalidBody(ValueError):
    """The body lacks what every trigger body has, so it is refused before it is stored."""


def ticket_from_body(body) -> dict:
    """Return the body's ``ticket`` object; raise InvalidBody if it has none or the ticket has no id."""
    ticket = body.get("ticket") if isinstance(body, dict) else None
    if not isinstance(ticket, dict):
        raise InvalidBody('The body must be a JSON object with a "ticket" object; see docs/integrations.md for the body to paste.')
    if text(str(ticket.get("id", ""))) == "":
        raise InvalidBody('The "ticket" object has no "id"; use the placeholder {{ticket.id}}.')
    return ticket


def _custom_fields(ticket: dict) -> dict[str, object]:
    fields = ticket.get("custom_fields")
    if not isinstance(fields, list):
        return {}
    return {str(field.get("id")).strip(): field.get("value") for field in fields if isinstance(field, dict)}


def _name_of(value) -> str:
    """Read a name given either as an object with "name" or as plain text."""
    if isinstance(value, dict):
        return text(value.get("name"))
    return text(value)


def report_from_body(body: dict) -> HelpdeskReport:
    ticket = ticket_from_body(body)
    fields = _custom_fields(ticket)
    requester = ticket.get("requester") if isinstance(ticket.get("requester"), dict) else {}
    site_field = settings.OOHDESK_ZENDESK_SITE_FIELD
    return HelpdeskReport(
        source=Source.ZENDESK,
        object_type="ticket",
        object_id=str(ticket["id"]).strip(),
        summary=text(ticket.get("subject")),
        description=plain_text(ticket.get("description")),
        site_down=read_answer(fields.get(settings.OOHDESK_ZENDESK_SITE_DOWN_FIELD)),
        affects_half=read_answer(fields.get(settings.OOHDESK_ZENDESK_AFFECTS_HALF_FIELD)),
        site=text(fields.get(site_field)) if site_field else "",
        organisation=_name_of(ticket.get("organization")),
        reporter_name=text(requester.get("name")),
        reporter_email=text(requester.get("email")),
        reporter_phone=text(requester.get("phone")),
    )
