"""Intercom: reading webhook notifications as reports, and its REST API for contacts and replies.

A notification is a JSON object of type ``notification_event`` with its own
``id``, a ``topic`` and the object concerned in ``data.item``. Two topics
carry a new report:

- ``ticket.created``: a ticket whose ``ticket_type.name`` is one of
  OOHDESK_INTERCOM_TICKET_TYPES, with the answers in ``ticket_attributes``.
  Its contacts are usually references only, so a contact without an email
  is looked up through the REST API for its name, email and phone.
- ``conversation.user.created``: a conversation with the answers in
  ``custom_attributes``; one without either answer attribute is an ordinary
  chat and is ignored. The author's name and email are in ``source.author``.

Replies go to ``POST /tickets/{id}/reply`` or ``POST /conversations/{id}/reply``
as the admin OOHDESK_INTERCOM_ADMIN_ID, with ``message_type`` "note" for the
agency's own staff or "comment" for the customer.
"""

import logging

import httpx
from django.conf import settings

from oohdesk.intake.models import Source
from oohdesk.intake.reports import HelpdeskReport, plain_text, read_answer, text
from oohdesk.paging.channels import SendError, SendResult
from oohdesk.paging.channels.http import tls_context

logger = logging.getLogger(__name__)

REPORT_TOPICS = ("ticket.created", "conversation.user.created")


def replies_enabled() -> bool:
    """Return whether oohdesk can call Intercom's API: base URL, token and admin id are all set."""
    return bool(
        settings.OOHDESK_INTERCOM_API_BASE_URL
        and settings.OOHDESK_INTERCOM_ACCESS_TOKEN
        and settings.OOHDESK_INTERCOM_ADMIN_ID
    )


def _headers() -> dict:
    return {
        "Authorization": f"Bearer {settings.OOHDESK_INTERCOM_ACCESS_TOKEN}",
        "Intercom-Version": settings.OOHDESK_INTERCOM_VERSION,
        "Accept": "application/json",
    }


def _url(path: str) -> str:
    return f"{settings.OOHDESK_INTERCOM_API_BASE_URL}/{path}"


def fetch_contact(contact_id: str) -> dict:
    """Return the contact's fields from the REST API, or {} when the API is off or the call fails.

    A report is never held up by this look-up: without it the ticket is
    filed with whatever the notification itself carried.
    """
    if not (replies_enabled() and contact_id):
        return {}
    try:
        response = httpx.get(
            _url(f"contacts/{contact_id}"), headers=_headers(), timeout=settings.OOHDESK_INTERCOM_TIMEOUT_SECONDS,
            verify=tls_context(),
        )
        response.raise_for_status()
        contact = response.json()
    except (httpx.HTTPError, ValueError) as error:
        logger.warning("intercom contact look-up failed contact=%s error=%s", contact_id, error)
        return {}
    return contact if isinstance(contact, dict) else {}


def post_reply(thread: str, message_type: str, body: str) -> SendResult:
    """Add a note or a comment to ``thread`` (such as tickets/123); raise SendError saying whether a retry can help."""
    payload = {"message_type": message_type, "type": "admin", "admin_id": settings.OOHDESK_INTERCOM_ADMIN_ID, "body": body}
    try:
        response = httpx.post(
            _url(f"{thread}/reply"), json=payload, headers=_headers(), timeout=settings.OOHDESK_INTERCOM_TIMEOUT_SECONDS,
            verify=tls_context(),
        )
    except httpx.HTTPError as error:
        raise SendError(f"Calling Intercom failed: {error}", permanent=False) from error
    answer = _json_or_text(response)
    if response.status_code == 429 or response.status_code >= 500:
        raise SendError(f"Intercom returned {response.status_code}; retrying later.", permanent=False, response=answer)
    if response.status_code >= 400:
        message = f"Intercom rejected the reply with {response.status_code}: {_error_text(answer)}"
        raise SendError(message, permanent=True, response=answer)
    return SendResult(provider_id=str(answer.get("id", "")), response=answer)


def _json_or_text(response: httpx.Response) -> dict:
    try:
        answer = response.json()
    except ValueError:
        return {"text": response.text[:1000]}
    return answer if isinstance(answer, dict) else {"json": answer}


def _error_text(answer: dict) -> str:
    errors = answer.get("errors")
    if isinstance(errors, list):
        return "; ".join(str(error.get("message", error)) for error in errors if isinstance(error, dict)) or str(errors)
    return str(answer)[:300]


# Reading notifications


def report_from_notification(notification: dict) -> HelpdeskReport | None:
    """Read a report from a notification, or return None when it is not an Issue Report."""
    topic = notification.get("topic")
    data = notification.get("data")
    item = data.get("item") if isinstance(data, dict) else None
    if not isinstance(item, dict):
        return None
    if topic == "ticket.created":
        return _report_from_ticket(item)
    if topic == "conversation.user.created":
        return _report_from_conversation(item)
    return None


def _attribute(attributes: dict, setting: str):
    return attributes.get(getattr(settings, setting))


def _report_from_ticket(ticket: dict) -> HelpdeskReport | None:
    ticket_type = ticket.get("ticket_type") if isinstance(ticket.get("ticket_type"), dict) else {}
    if ticket_type.get("name") not in settings.OOHDESK_INTERCOM_TICKET_TYPES:
        logger.info("intercom ticket ignored: type %r is not an Issue Report type ticket=%s", ticket_type.get("name"), ticket.get("id"))
        return None
    attributes = ticket.get("ticket_attributes") if isinstance(ticket.get("ticket_attributes"), dict) else {}
    details = _with_contact_details(_first_contact(ticket))
    return HelpdeskReport(
        source=Source.INTERCOM,
        object_type="ticket",
        object_id=str(ticket.get("id", "")),
        summary=text(attributes.get("_default_title_")),
        description=plain_text(attributes.get("_default_description_")),
        site_down=read_answer(_attribute(attributes, "OOHDESK_INTERCOM_SITE_DOWN_ATTRIBUTE")),
        affects_half=read_answer(_attribute(attributes, "OOHDESK_INTERCOM_AFFECTS_HALF_ATTRIBUTE")),
        site=text(_attribute(attributes, "OOHDESK_INTERCOM_SITE_ATTRIBUTE")),
        organisation=text(_attribute(attributes, "OOHDESK_INTERCOM_ORGANISATION_ATTRIBUTE")),
        reporter_name=text(details.get("name")),
        reporter_email=text(details.get("email")),
        reporter_phone=text(details.get("phone")),
    )


def _with_contact_details(person: dict) -> dict:
    """Return ``person`` with name, email and phone from the REST API filled in when it has no email."""
    if text(person.get("email")):
        return person
    fetched = fetch_contact(text(person.get("id")))
    return {**person, **{key: value for key, value in fetched.items() if value}}


def _first_contact(ticket: dict) -> dict:
    contacts = ticket.get("contacts")
    listed = contacts.get("contacts") if isinstance(contacts, dict) else None
    if isinstance(listed, list) and listed and isinstance(listed[0], dict):
        return listed[0]
    return {}


def _report_from_conversation(conversation: dict) -> HelpdeskReport | None:
    attributes = conversation.get("custom_attributes") if isinstance(conversation.get("custom_attributes"), dict) else {}
    answer_names = (settings.OOHDESK_INTERCOM_SITE_DOWN_ATTRIBUTE, settings.OOHDESK_INTERCOM_AFFECTS_HALF_ATTRIBUTE)
    if not any(name in attributes for name in answer_names):
        logger.info("intercom conversation ignored: no answer attributes conversation=%s", conversation.get("id"))
        return None
    source = conversation.get("source") if isinstance(conversation.get("source"), dict) else {}
    author = source.get("author") if isinstance(source.get("author"), dict) else {}
    details = _with_contact_details(author)
    body = plain_text(source.get("body"))
    summary = text(conversation.get("title")) or text(source.get("subject")) or body.split("\n", 1)[0]
    return HelpdeskReport(
        source=Source.INTERCOM,
        object_type="conversation",
        object_id=str(conversation.get("id", "")),
        summary=summary,
        description=body,
        site_down=read_answer(_attribute(attributes, "OOHDESK_INTERCOM_SITE_DOWN_ATTRIBUTE")),
        affects_half=read_answer(_attribute(attributes, "OOHDESK_INTERCOM_AFFECTS_HALF_ATTRIBUTE")),
        site=text(_attribute(attributes, "OOHDESK_INTERCOM_SITE_ATTRIBUTE")) or text(source.get("url")),
        organisation=text(_attribute(attributes, "OOHDESK_INTERCOM_ORGANISATION_ATTRIBUTE")),
        reporter_name=text(details.get("name")),
        reporter_email=text(details.get("email")),
        reporter_phone=text(details.get("phone")),
    )
