"""The OpenAPI 3.1 description of the JSON API, served at /api/v1/openapi.json.

Response schemas forbid extra keys, so the tests that check every response
against this document also catch a key the views add without describing it
here. Enums and maximum lengths are read from the models to stay in step.
"""

from oohdesk.paging.models import Page
from oohdesk.tickets.forms import AFFECTS_HALF_QUESTION, SITE_DOWN_QUESTION
from oohdesk.tickets.models import Ticket
from oohdesk.tickets.status import STATE_LABELS
from oohdesk.tickets.triage import Priority


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


def _max_length(field: str) -> int:
    return Ticket._meta.get_field(field).max_length


DATE_TIME = {"type": "string", "format": "date-time", "description": "ISO 8601 in UTC, to the second."}
NULLABLE_DATE_TIME = {"type": ["string", "null"], "format": "date-time", "description": DATE_TIME["description"]}
YES_NO_ANSWER = {"enum": [True, False, "yes", "no"]}

REPORT_TEXT_FIELDS = {
    "reporter_name": "The name of the person reporting.",
    "reporter_email": "Where the customer is told about the ticket.",
    "reporter_phone": "At least 7 digits; may contain spaces, +, brackets, hyphens and dots.",
    "organisation": "The customer's organisation.",
    "site": "The site or URL affected.",
    "summary": "One line, for example: checkout fails with an error.",
    "description": "What is happening, since when, and what has been tried.",
}


def _report_schema() -> dict:
    properties = {
        name: {"type": "string", "minLength": 1, "maxLength": _max_length(name), "description": description}
        for name, description in REPORT_TEXT_FIELDS.items()
    }
    properties["reporter_email"]["format"] = "email"
    properties["site_down"] = {**YES_NO_ANSWER, "description": f"{SITE_DOWN_QUESTION} No default."}
    properties["affects_half"] = {**YES_NO_ANSWER, "description": f"{AFFECTS_HALF_QUESTION} No default."}
    properties["idempotency_key"] = {
        "type": "string",
        "minLength": 1,
        "maxLength": _max_length("idempotency_key"),
        "description": (
            "The same as the Idempotency-Key header, for helpdesks that cannot set headers. If both are "
            "sent they must be equal."
        ),
    }
    properties["team"] = {
        "type": "string",
        "pattern": "^[-a-zA-Z0-9_]+$",
        "description": "The slug of the team the report is for. May be left out when the desk has exactly one team.",
    }
    return {
        "type": "object",
        "description": (
            "An Issue Report. Both answers decide the priority: yes and yes is P1, one yes is P2, "
            "no and no is P3. A report from the same organisation about the same site as an open ticket, "
            "within the desk's duplicate window, is linked to that ticket and does not page; a more urgent "
            "one raises that ticket's priority. Keys not listed here are ignored."
        ),
        "required": [*REPORT_TEXT_FIELDS, "site_down", "affects_half"],
        "properties": properties,
    }


TICKET_PROPERTIES = {
    "ref": {"type": "string", "description": "The ticket reference, such as OOH-7QK2MD."},
    "priority": {"enum": Priority.values},
    "priority_label": {"enum": Priority.labels},
    "status": {"enum": Ticket.Status.values, "description": "The ticket's stored status."},
    "state": {"enum": list(STATE_LABELS), "description": "The state the customer sees on the status page."},
    "pages": {"type": "boolean", "description": "Whether the report paged the on-call developer (P1 and P2 only)."},
    "out_of_hours": {"type": "boolean", "description": "Whether the report arrived outside working hours."},
    "received_at": DATE_TIME,
    "release_at": {
        **NULLABLE_DATE_TIME,
        "description": "When a P3 report held out of hours joins the working queue; null otherwise.",
    },
    "next_steps": {"type": "string", "description": "What happens next, in words for the customer."},
    "status_url": {"type": "string", "format": "uri", "description": "The customer's private status page."},
    "verified": {
        "type": "boolean",
        "description": (
            "Whether the reporter's email address or domain belongs to a known customer. Urgent reports "
            "from others page too, within an hourly limit per address and organisation."
        ),
    },
    "duplicate_of": {
        "type": ["string", "null"],
        "description": "The reference of the open ticket this report was linked to as a possible duplicate; null otherwise.",
    },
}


def _closed_object(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "required": list(properties), "properties": properties, "additionalProperties": False}
    if description:
        schema["description"] = description
    return schema


SCHEMAS = {
    "Errors": {
        "type": "object",
        "description": (
            "Each key names what is wrong: a report field, a query or path parameter, a header "
            "(authorization, idempotency_key), method, path, or body for the request body as a whole."
        ),
        "required": ["errors"],
        "additionalProperties": False,
        "properties": {
            "errors": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            }
        },
    },
    "TicketReport": _report_schema(),
    "Ticket": _closed_object(TICKET_PROPERTIES),
    "TicketDetail": _closed_object(
        {**TICKET_PROPERTIES, "page": {**_nullable(_ref("Page")), "description": "Null when the ticket did not page."}}
    ),
    "Page": _closed_object(
        {
            "id": {"type": "integer"},
            "status": {"enum": Page.Status.values},
            "step": {
                "type": "integer",
                "minimum": 1,
                "description": "The escalation step in progress, counting from 1; the last step once escalation has ended.",
            },
            "round": {"type": "integer", "minimum": 1, "description": "Which pass through the policy's steps, counting from 1."},
            "acknowledged_at": NULLABLE_DATE_TIME,
            "acknowledged_by": {"type": ["string", "null"], "description": "The name of the member who acknowledged."},
        }
    ),
    "Person": _closed_object({"name": {"type": "string"}, "email": {"type": "string", "format": "email"}}),
    "OnCall": _closed_object(
        {
            "team": {"type": "string", "description": "The team's slug."},
            "at": DATE_TIME,
            "on_call": {
                **_nullable(_ref("Person")),
                "description": "Null when the team has no rota, its rota has no members or has not started by then.",
            },
        }
    ),
    "AckResult": _closed_object(
        {
            "acknowledged": {
                "type": "boolean",
                "description": "True if this call acknowledged the page; false if it was already acknowledged or resolved.",
            },
            "message": {"type": "string"},
            "page": _ref("Page"),
        }
    ),
}


def _json(schema_name: str, description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": _ref(schema_name)}}}
    if headers:
        response["headers"] = headers
    return response


def _error(description: str) -> dict:
    return _json("Errors", description)


RESPONSES = {
    "Unauthorized": _json(
        "Errors",
        "The Authorization header is missing, malformed or has an unknown token.",
        {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer, with an RFC 6750 error code."}},
    ),
    "Forbidden": _error("The token's user is inactive or not staff."),
}

STAFF = [{"bearerAuth": []}]
PUBLIC = []
AUTH_ERRORS = {"401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}

CREATE_TICKET = {
    "operationId": "createTicket",
    "summary": "Report an issue",
    "description": (
        "Public, for customers' helpdesks. Validates the report and stores the ticket and, for P1 and "
        "P2, its page in one transaction; an invalid report stores nothing. Send JSON with "
        "Content-Type: application/json."
    ),
    "security": PUBLIC,
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": _max_length("idempotency_key")},
            "description": (
                "A unique key per report, such as a UUID. A retry with the same key and the same report "
                "returns the first ticket with 200 and stores and pages nothing new. The body's "
                "idempotency_key does the same."
            ),
        }
    ],
    "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("TicketReport")}}},
    "responses": {
        "201": _json(
            "Ticket",
            "The ticket was created.",
            {"Location": {"schema": {"type": "string"}, "description": "The ticket's URL in this API."}},
        ),
        "200": _json("Ticket", "A retry with a used Idempotency-Key and the same report: the first ticket."),
        "400": _error("The body is not a JSON object, or fields are missing or invalid; every field's errors are listed."),
        "413": _error("The request body is larger than the server accepts."),
        "422": _error("The idempotency key was already used for a different report."),
        "503": _error("No team has been set up yet."),
    },
}

GET_TICKET = {
    "operationId": "getTicket",
    "summary": "Look up a ticket and its page",
    "security": STAFF,
    "parameters": [
        {
            "name": "ref",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
            "description": "The ticket reference; lower case is accepted.",
        }
    ],
    "responses": {
        "200": _json("TicketDetail", "The ticket."),
        **AUTH_ERRORS,
        "404": _error("No ticket with this reference."),
    },
}

GET_ON_CALL = {
    "operationId": "getOnCall",
    "summary": "Who is on call",
    "security": STAFF,
    "parameters": [
        {
            "name": "team",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": "The team's slug; may be left out when the desk has exactly one team.",
        },
        {
            "name": "at",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": (
                "An ISO 8601 date and time; now if left out. A time without an offset is read in the "
                "rota's zone: a time the clocks skip takes the offset before the change, and a time "
                "that happens twice means its first occurrence. Encode + as %2B."
            ),
        },
    ],
    "responses": {
        "200": _json("OnCall", "Who is on call at that time."),
        "400": _error("The team is unknown or must be named, or the time is not ISO 8601."),
        **AUTH_ERRORS,
        "503": _error("No team has been set up yet."),
    },
}

ACKNOWLEDGE_PAGE = {
    "operationId": "acknowledgePage",
    "summary": "Acknowledge a page",
    "description": (
        "Stops the page's escalation and cancels its pending notifications. The acknowledgement is "
        "recorded against the member linked to the token's user, if any."
    ),
    "security": STAFF,
    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}}],
    "responses": {
        "200": _json("AckResult", "The result; acknowledged is false if the page was already acknowledged or resolved."),
        **AUTH_ERRORS,
        "404": _error("No page with this id."),
    },
}

GET_DOCUMENT = {
    "operationId": "getOpenApiDocument",
    "summary": "This document",
    "security": PUBLIC,
    "responses": {
        "200": {
            "description": "The OpenAPI 3.1 document.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "oohdesk API",
        "version": "1",
        "description": (
            "Report issues, look up tickets, see who is on call and acknowledge pages. Errors have the "
            "shape {\"errors\": {\"field\": [\"message\"]}}. A method an endpoint does not support gets "
            "405 and an unknown URL gets 404, both with that shape."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/tickets": {"post": CREATE_TICKET},
        "/tickets/{ref}": {"get": GET_TICKET},
        "/oncall": {"get": GET_ON_CALL},
        "/pages/{id}/ack": {"post": ACKNOWLEDGE_PAGE},
        "/openapi.json": {"get": GET_DOCUMENT},
    },
    "components": {
        "schemas": SCHEMAS,
        "responses": RESPONSES,
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "A staff API token, created with the createtoken command.",
            }
        },
    },
}
