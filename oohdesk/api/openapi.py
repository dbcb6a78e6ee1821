"""The OpenAPI 3.1 description of the JSON API, served at /api/v1/openapi.json.

Response schemas forbid extra keys, so the tests that check every response
against this document also catch a key the views add without describing it
here. Enums and maximum lengths are read from the models to stay in step.
"""

from oohdesk.hours.closures import Source
from oohdesk.hours.models import WEEKDAYS
from oohdesk.paging.models import Page
from oohdesk.rota.health import PROBLEM_CODES
from oohdesk.rota.oncall import MAX_RANGE, OVERRIDE, ROTA
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
    # At least 7 digits, with only spaces, +, brackets, hyphens and dots between them, as the form checks.
    properties["reporter_phone"]["pattern"] = r"^[+ ().-]*([0-9][+ ().-]*){7,}$"
    properties["site_down"] = {**YES_NO_ANSWER, "description": f"{SITE_DOWN_QUESTION} No default."}
    properties["affects_half"] = {**YES_NO_ANSWER, "description": f"{AFFECTS_HALF_QUESTION} No default."}
    properties["idempotency_key"] = {
        "type": ["string", "null"],
        "minLength": 1,
        "maxLength": _max_length("idempotency_key"),
        "description": (
            "The same as the Idempotency-Key header, for helpdesks that cannot set headers. If both are "
            "sent they must be equal."
        ),
    }
    properties["team"] = {
        "type": ["string", "null"],
        "pattern": "^[-a-zA-Z0-9_]*$",
        "description": (
            "The slug of the team the report is for. May be left out, empty or null when the desk has exactly one team."
        ),
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
    """Return an object schema that requires every property and allows no others."""
    schema = {"type": "object", "required": list(properties), "properties": properties, "additionalProperties": False}
    if description:
        schema["description"] = description
    return schema


DATE = {"type": "string", "format": "date", "description": "YYYY-MM-DD in the calendar's zone."}
OPENING = {
    "type": "string",
    "pattern": "^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$",
    "description": "HH:MM-HH:MM in the calendar's wall-clock time; the closing time is exclusive and 00:00 closes at midnight.",
}
NULLABLE_NAME = {"type": ["string", "null"]}

CALENDAR_SCHEMAS = {
    "Region": _closed_object(
        {
            "country": {"type": "string", "description": "ISO 3166-1 country code, such as GB."},
            "subdivision": {"type": ["string", "null"], "description": "Such as ENG, WLS, SCT or NIR for GB."},
            "name": {"type": "string", "description": "For people, such as Scotland (GB-SCT)."},
        },
        "The region whose public holidays, substitute days included, close the calendar.",
    ),
    "Calendar": _closed_object(
        {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "time_zone": {"type": "string", "description": "IANA time zone of the opening hours."},
            "region": {**_nullable(_ref("Region")), "description": "Null for a calendar without public holidays."},
            "opening_hours": _closed_object(
                {day: {"type": "array", "items": OPENING} for day in WEEKDAYS},
                "Weekly openings by weekday; an empty list is closed all day.",
            ),
        }
    ),
    "CalendarList": _closed_object({"calendars": {"type": "array", "items": _ref("Calendar")}}),
    "HoursAnswer": _closed_object(
        {
            "calendar": {"type": "string"},
            "at": DATE_TIME,
            "in_hours": {"type": "boolean"},
            "next_opening": {**NULLABLE_DATE_TIME, "description": "The first start of working hours after at; null if none within 400 days."},
            "holiday": {**NULLABLE_NAME, "description": "The region's public holiday on the local date of at."},
            "closure": {**NULLABLE_NAME, "description": "The agency's closure covering the local date of at."},
            "one_off_opening": {**NULLABLE_NAME, "description": "A one-off opening on that date, which replaces its usual hours."},
            "add": {"type": ["string", "null"], "description": "The working time added, as sent in add; null without add."},
            "result": {
                **NULLABLE_DATE_TIME,
                "description": "at plus add of working time; null without add, or when the calendar cannot provide it within ten years.",
            },
        }
    ),
    "Closure": _closed_object(
        {
            "id": {"type": ["integer", "null"], "description": "The agency closure's id, for DELETE; null for a public holiday."},
            "name": {"type": "string"},
            "first_day": DATE,
            "last_day": {**DATE, "description": "Inclusive."},
            "source": {"enum": [Source.REGION, Source.AGENCY], "description": "region: a public holiday; agency: the agency's own closure."},
        }
    ),
    "ClosureList": _closed_object(
        {
            "calendar": {"type": "string"},
            "region": _nullable(_ref("Region")),
            "from": DATE,
            "to": DATE,
            "closures": {"type": "array", "items": _ref("Closure"), "description": "Ordered by first day."},
        }
    ),
    "ClosureInput": {
        "type": "object",
        "required": ["name", "first_day"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "first_day": DATE,
            "last_day": {
                "oneOf": [DATE, {"enum": ["", None]}],
                "description": "Inclusive; the first day when left out, empty or null.",
            },
        },
    },
    "OneOffOpening": _closed_object(
        {"id": {"type": "integer"}, "name": {"type": "string"}, "date": DATE, "hours": OPENING}
    ),
    "OneOffOpeningList": _closed_object(
        {
            "calendar": {"type": "string"},
            "from": DATE,
            "to": DATE,
            "one_off_openings": {"type": "array", "items": _ref("OneOffOpening")},
        }
    ),
    "OneOffOpeningInput": {
        "type": "object",
        "description": (
            "Working hours on one date. The one-off openings of a date replace its weekly hours and open it "
            "even on a public holiday or an agency closure."
        ),
        "required": ["name", "date", "opens", "closes"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "date": DATE,
            "opens": {"type": "string", "description": "HH:MM."},
            "closes": {"type": "string", "description": "HH:MM, exclusive; 24:00 or 00:00 closes at midnight."},
        },
    },
}


SCHEMAS = {
    "Errors": {
        "type": "object",
        "description": (
            "Each key names what is wrong: a report field, a query or path parameter, a header "
            "(authorization, idempotency_key), method, path, body for the request body as a whole, "
            "rate_limit for a refused report, or service while the service is briefly unavailable."
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
        {
            **TICKET_PROPERTIES,
            "respond_by": {
                **NULLABLE_DATE_TIME,
                "description": (
                    "When a response is due under the team's escalation policy: clock time for P1 and P2, working "
                    "time in the team's calendar for P3. Null when the policy sets no target for the priority."
                ),
            },
            "page": {**_nullable(_ref("Page")), "description": "Null when the ticket did not page."},
        }
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
    "Segment": _closed_object(
        {
            "member": _ref("Person"),
            "start": DATE_TIME,
            "end": {**DATE_TIME, "description": "Exclusive: the member is on call until just before this time."},
            "source": {
                "enum": [ROTA, OVERRIDE],
                "description": "rota for a shift of the weekly rota, override for a period put in by hand or by an accepted swap.",
            },
        },
        "One member on call without a break. A time with nobody on call has no segment.",
    ),
    "OnCallSegments": _closed_object(
        {
            "team": {"type": "string", "description": "The team's slug."},
            "from": DATE_TIME,
            "to": DATE_TIME,
            "segments": {
                "type": "array",
                "items": _ref("Segment"),
                "description": "In time order. The first and last are cut to the range, so they may start or end inside a shift.",
            },
        }
    ),
    "RotaProblem": _closed_object(
        {
            "team": {"type": "string", "description": "The team's slug."},
            "code": {
                "enum": list(PROBLEM_CODES),
                "description": "; ".join(f"{code}: {meaning}" for code, meaning in PROBLEM_CODES.items()),
            },
            "message": {"type": "string"},
            "member": {**_nullable(_ref("Person")), "description": "The member concerned, if any."},
            "start": {**NULLABLE_DATE_TIME, "description": "For a gap: when it begins."},
            "end": {**NULLABLE_DATE_TIME, "description": "For a gap: when it ends (exclusive)."},
        }
    ),
    "RotaCheck": _closed_object(
        {"problems": {"type": "array", "items": _ref("RotaProblem"), "description": "Empty when every rota is healthy."}}
    ),
    **CALENDAR_SCHEMAS,
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
        "201": {
            **_json(
                "Ticket",
                "The ticket was created.",
                {"Location": {"schema": {"type": "string"}, "description": "The ticket's URL in this API."}},
            ),
            "links": {"GetTicket": {"operationId": "getTicket", "parameters": {"ref": "$response.body#/ref"}}},
        },
        "200": _json("Ticket", "A retry with a used Idempotency-Key and the same report: the first ticket."),
        "400": _error("The body is not a JSON object, or fields are missing or invalid; every field's errors are listed."),
        "413": _error("The request body is larger than the server accepts."),
        "422": _error("The idempotency key was already used for a different report."),
        "429": _json(
            "Errors",
            "Too many reports from this address or for this organisation recently; nothing was stored.",
            {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait before sending again."}},
        ),
        "503": _error("No team has been set up yet, or the service is briefly unavailable (then with Retry-After)."),
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

def _team_parameter(description: str) -> dict:
    return {"name": "team", "in": "query", "required": False, "schema": {"type": "string"}, "description": description}


GET_ON_CALL = {
    "operationId": "getOnCall",
    "summary": "Who is on call",
    "security": STAFF,
    "parameters": [
        _team_parameter("The team's slug; may be left out when the desk has exactly one team."),
        {
            "name": "at",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": (
                "An ISO 8601 date and time; now if left out. A time without an offset is read in the "
                "rota's zone: a time the clocks skip takes the offset before the change, and a time "
                "that happens twice means its first occurrence. Encode + as %2B. Not with from and to."
            ),
        },
        {
            "name": "from",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": (
                "With to: the start of a range, read like at. The answer is then the list of segments "
                "of who is on call over the range instead of one person."
            ),
        },
        {
            "name": "to",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": f"With from: the end of the range (exclusive), after from and at most {MAX_RANGE.days} days later.",
        },
    ],
    "responses": {
        "200": {
            "description": "Who is on call at that time (OnCall), or over the range from and to (OnCallSegments).",
            "content": {"application/json": {"schema": {"oneOf": [_ref("OnCall"), _ref("OnCallSegments")]}}},
        },
        "400": _error(
            "The team is unknown or must be named, a time is not ISO 8601, at came with from or to, "
            "one of from and to is missing, or the range is empty or too long."
        ),
        **AUTH_ERRORS,
        "503": _error("No team has been set up yet."),
    },
}

GET_ROTA_CHECK = {
    "operationId": "getRotaCheck",
    "summary": "Rota health problems",
    "description": (
        "Lists what would leave a page with nobody to reach over the next four weeks: a member with no "
        "contact method that can page them, an empty rota that an escalation policy uses, and gaps "
        "when nobody is on call."
    ),
    "security": STAFF,
    "parameters": [
        _team_parameter("The team's slug; every team when left out."),
    ],
    "responses": {
        "200": _json("RotaCheck", "The problems found, team by team."),
        "400": _error("The team is unknown."),
        **AUTH_ERRORS,
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

SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}, "description": "The calendar's slug."}
RANGE = [
    {
        "name": "from",
        "in": "query",
        "required": False,
        "schema": {"oneOf": [{"type": "string", "format": "date"}, {"enum": [""]}]},
        "description": "The first date, YYYY-MM-DD; today in the calendar's zone if left out or empty.",
    },
    {
        "name": "days",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 3660},
        "description": "How many dates from the first, 365 if left out.",
    },
]
NO_CALENDAR = _error("No calendar with this slug.")


def _calendar_operation(operation_id: str, summary: str, responses: dict, parameters=(), **extra) -> dict:
    """Describe a staff operation on one calendar, with the slug parameter and the errors every one of them has."""
    return {
        "operationId": operation_id,
        "summary": summary,
        "security": STAFF,
        **extra,
        "parameters": [SLUG, *parameters],
        "responses": {**responses, **AUTH_ERRORS, "404": NO_CALENDAR},
    }


LIST_CALENDARS = {
    "operationId": "listCalendars",
    "summary": "Business calendars",
    "security": STAFF,
    "responses": {"200": _json("CalendarList", "Every calendar, ordered by slug."), **AUTH_ERRORS},
}

GET_CALENDAR = _calendar_operation("getCalendar", "One business calendar", {"200": _json("Calendar", "The calendar.")})

GET_HOURS = _calendar_operation(
    "getCalendarHours",
    "In working hours? Next opening? Plus N working hours",
    {
        "200": _json("HoursAnswer", "The answer, as oohdesk hours --json gives it."),
        "400": _error("at is not ISO 8601, or add is not a duration."),
    },
    description=(
        "The same answer as the form, the command line and the paging engine give, from one calendar code. "
        "Working time skips weekends, the region's public holidays and the agency's closures, and counts "
        "elapsed time across clock changes."
    ),
    parameters=[
        {
            "name": "at",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": (
                "An ISO 8601 date and time; now if left out. A time without an offset is read in the "
                "calendar's zone, a skipped time taking the offset before the change and a repeated one "
                "meaning its first occurrence. Encode + as %2B."
            ),
        },
        {
            "name": "add",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": "Working time to add to at: whole seconds, or a whole number followed by s, m or h, such as 4h.",
        },
    ],
)

def _calendar_children(schema: str, noun: str, list_description: str, invalid: str) -> tuple[dict, dict]:
    """Describe the list, add and remove operations of a calendar's closures or one-off openings."""
    collection = {
        "get": _calendar_operation(
            f"list{schema}s",
            f"List {noun}s",
            {"200": _json(f"{schema}List", list_description), "400": _error("from is not a date, or days is out of range.")},
            parameters=RANGE,
        ),
        "post": _calendar_operation(
            f"add{schema}",
            f"Add {_with_article(noun)}",
            {"201": _json(schema, f"The {noun} was stored."), "400": _error(invalid)},
            requestBody={"required": True, "content": {"application/json": {"schema": _ref(f"{schema}Input")}}},
        ),
    }
    remove = _calendar_operation(
        f"delete{schema}",
        f"Remove {_with_article(noun)}",
        {"200": _json(schema, f"The {noun} that was removed.")},
        parameters=[{"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}}],
    )
    remove["responses"]["404"] = _error(f"No calendar with this slug, or no {noun} with this id in it.")
    return collection, {"delete": remove}


def _with_article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


CLOSURES, CLOSURE = _calendar_children(
    "Closure",
    "agency closure",
    "Every public holiday and agency closure that touches the dates, with its source, ordered by first day.",
    "A field is missing or invalid; nothing was stored.",
)
ONE_OFF_OPENINGS, ONE_OFF_OPENING = _calendar_children(
    "OneOffOpening",
    "one-off opening",
    "The one-off openings on the dates, ordered by date and time.",
    "A field is missing or invalid, or the opening overlaps another that date; nothing was stored.",
)

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
            "Report issues, look up tickets, see who is on call, check the rotas, acknowledge pages, and read and "
            "change business calendars. Errors have the "
            "shape {\"errors\": {\"field\": [\"message\"]}}. A method an endpoint does not support gets "
            "405 and an unknown URL gets 404, both with that shape. Any endpoint may answer 503 with "
            "Retry-After while the database is briefly unreachable."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/tickets": {"post": CREATE_TICKET},
        "/tickets/{ref}": {"get": GET_TICKET},
        "/oncall": {"get": GET_ON_CALL},
        "/rota/check": {"get": GET_ROTA_CHECK},
        "/pages/{id}/ack": {"post": ACKNOWLEDGE_PAGE},
        "/calendars": {"get": LIST_CALENDARS},
        "/calendars/{slug}": {"get": GET_CALENDAR},
        "/calendars/{slug}/hours": {"get": GET_HOURS},
        "/calendars/{slug}/closures": CLOSURES,
        "/calendars/{slug}/closures/{id}": CLOSURE,
        "/calendars/{slug}/one-off-openings": ONE_OFF_OPENINGS,
        "/calendars/{slug}/one-off-openings/{id}": ONE_OFF_OPENING,
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
