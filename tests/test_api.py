"""The JSON API: reports, ticket look-up, who is on call, acknowledgements, OpenAPI.

Every response a test gets through the ``api`` fixture (or ``check_response``
in the live-server test) is checked against the schema that openapi.json gives
for that path, method and status code.
"""

import json
import re
from datetime import datetime, timedelta

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from conftest import utc
from oohdesk.api import urls as api_urls
from oohdesk.api.models import ApiToken
from oohdesk.paging.escalation import escalate_due_pages
from oohdesk.paging.models import NotificationAttempt, Page
from oohdesk.rota.models import Team
from oohdesk.tickets.models import Ticket

API = "/api/v1"

# Saturday 10 January 2026 03:00 GMT: out of hours, in alice's first week.
NIGHT = utc(2026, 1, 10, 3, 0)
# Tuesday 6 January 2026 10:00 GMT: working hours.
WORKING = utc(2026, 1, 6, 10, 0)


def report_body(**changes) -> dict:
    body = {
        "reporter_name": "Dana Customer",
        "reporter_email": "dana@client.example",
        "reporter_phone": "020 7946 0000",
        "organisation": "Client Ltd",
        "site": "https://shop.client.example",
        "summary": "Checkout fails with an error",
        "description": "Every payment fails since 02:40.",
        "site_down": True,
        "affects_half": True,
    }
    body.update(changes)
    return {name: value for name, value in body.items() if value is not ...}


# A small JSON Schema checker for the keywords openapi.py uses.

TYPES = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "null": lambda value: value is None,
}

CHECKED_KEYWORDS = {
    "$ref", "oneOf", "enum", "type", "format", "required", "properties", "additionalProperties",
    "minProperties", "items", "minItems", "minLength", "maxLength", "minimum", "pattern", "description",
}


def schema_problems(value, schema: dict, document: dict, where: str = "$") -> list[str]:
    """Return every way ``value`` fails ``schema``, so an empty list means it is valid."""
    unknown = set(schema) - CHECKED_KEYWORDS
    assert not unknown, f"the test checker does not support {sorted(unknown)} at {where}"
    if "$ref" in schema:
        return schema_problems(value, follow_ref(document, schema["$ref"]), document, where)
    if "oneOf" in schema:
        matches = [option for option in schema["oneOf"] if not schema_problems(value, option, document, where)]
        return [] if len(matches) == 1 else [f"{where}: matches {len(matches)} of oneOf, not exactly 1"]
    if "enum" in schema and not any(value == item and type(value) is type(item) for item in schema["enum"]):
        return [f"{where}: {value!r} is not one of {schema['enum']}"]
    if "type" in schema:
        allowed = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(TYPES[name](value) for name in allowed):
            return [f"{where}: {value!r} is not of type {allowed}"]
    if isinstance(value, dict):
        return object_problems(value, schema, document, where)
    if isinstance(value, list):
        return array_problems(value, schema, document, where)
    if isinstance(value, str):
        return string_problems(value, schema, where)
    if isinstance(value, int) and "minimum" in schema and value < schema["minimum"]:
        return [f"{where}: {value} is below the minimum {schema['minimum']}"]
    return []


def object_problems(value: dict, schema: dict, document: dict, where: str) -> list[str]:
    problems = [f"{where}: missing {key!r}" for key in schema.get("required", []) if key not in value]
    if len(value) < schema.get("minProperties", 0):
        problems.append(f"{where}: fewer than {schema['minProperties']} keys")
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            problems += schema_problems(item, properties[key], document, f"{where}.{key}")
        elif extra is False:
            problems.append(f"{where}: unexpected key {key!r}")
        elif isinstance(extra, dict):
            problems += schema_problems(item, extra, document, f"{where}.{key}")
    return problems


def array_problems(value: list, schema: dict, document: dict, where: str) -> list[str]:
    problems = []
    if len(value) < schema.get("minItems", 0):
        problems.append(f"{where}: fewer than {schema['minItems']} items")
    for index, item in enumerate(value):
        problems += schema_problems(item, schema.get("items", {}), document, f"{where}[{index}]")
    return problems


def string_problems(value: str, schema: dict, where: str) -> list[str]:
    problems = []
    if len(value) < schema.get("minLength", 0):
        problems.append(f"{where}: shorter than {schema['minLength']}")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        problems.append(f"{where}: longer than {schema['maxLength']}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        problems.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if schema.get("format") == "date-time" and not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value):
        problems.append(f"{where}: {value!r} is not an ISO 8601 UTC time")
    if schema.get("format") == "uri" and not value.startswith(("http://", "https://")):
        problems.append(f"{where}: {value!r} is not an absolute URL")
    return problems


def follow_ref(document: dict, ref: str) -> dict:
    assert ref.startswith("#/"), f"only local $ref is supported, not {ref}"
    node = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def operation_for(document: dict, method: str, url_path: str) -> dict | None:
    """Return the document's operation for a request path such as /api/v1/tickets/OOH-ABC234."""
    relative = url_path.split("?")[0].removeprefix(API)
    for template, operations in document["paths"].items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, relative):
            return operations.get(method.lower())
    return None


def check_response(document: dict, method: str, url_path: str, status: int, headers, body) -> None:
    """Assert that a response is described by the document, headers included."""
    operation = operation_for(document, method, url_path)
    if operation is None:
        # Undescribed paths and methods get 404 and 405 with the error shape.
        assert status in (404, 405), f"{method} {url_path} is not in the document but returned {status}"
        schema = {"$ref": "#/components/schemas/Errors"}
    else:
        described = operation["responses"].get(str(status))
        assert described, f"{method} {url_path} returned {status}, which the document does not list"
        described = follow_ref(document, described["$ref"]) if "$ref" in described else described
        for name in described.get("headers", {}):
            assert name in headers, f"{method} {url_path} {status} lacks the {name} header"
        schema = described["content"]["application/json"]["schema"]
    assert headers["Content-Type"] == "application/json"
    problems = schema_problems(body, schema, document)
    assert problems == [], f"{method} {url_path} {status}: {problems}"


class CheckedClient:
    """Django's test client for JSON calls, checking each response against openapi.json."""

    def __init__(self, client: Client, document: dict):
        self.client = client
        self.document = document

    def get(self, path: str, query: dict | None = None, **kwargs):
        return self.call("GET", path, data=query, **kwargs)

    def post(self, path: str, body=None, raw: bytes | str | None = None, content_type="application/json", **kwargs):
        data = raw if raw is not None else json.dumps(body)
        return self.call("POST", path, data=data, content_type=content_type, **kwargs)

    def call(self, method: str, path: str, **kwargs):
        if method == "GET":
            # get() encodes a dict of query parameters; generic() takes only a path.
            response = self.client.get(path, **kwargs)
        else:
            response = self.client.generic(method, path, **kwargs)
        check_response(self.document, method, path, response.status_code, response.headers, response.json())
        return response


@pytest.fixture
def document(client) -> dict:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def api(client, document) -> CheckedClient:
    return CheckedClient(client, document)


def make_user(django_user_model, username: str, **fields):
    return django_user_model.objects.create_user(username=username, password="unused-password-1", **fields)


@pytest.fixture
def staff_token(django_user_model, alice) -> str:
    """The secret of a token for alice's staff user."""
    user = make_user(django_user_model, "alice", is_staff=True)
    alice.user = user
    alice.save(update_fields=["user"])
    _token, secret = ApiToken.issue(user, "tests")
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def at_night(time_machine):
    time_machine.move_to(NIGHT, tick=False)


@pytest.fixture
def in_working_hours(time_machine):
    time_machine.move_to(WORKING, tick=False)


def counts() -> tuple[int, int, int]:
    return Ticket.objects.count(), Page.objects.count(), NotificationAttempt.objects.count()


# Creating tickets


@pytest.mark.django_db
def test_create_p1_pages(api, team, at_night):
    response = api.post(f"{API}/tickets", report_body())
    assert response.status_code == 201
    ticket = response.json()
    assert ticket["priority"] == "P1"
    assert ticket["priority_label"] == "P1, Critical"
    assert ticket["pages"] is True
    assert ticket["state"] == "alerted"
    assert ticket["status"] == "open"
    assert ticket["out_of_hours"] is True
    assert ticket["received_at"] == "2026-01-10T03:00:00Z"
    assert ticket["release_at"] is None
    assert response["Location"] == f"{API}/tickets/{ticket['ref']}"
    stored = Ticket.objects.get(ref=ticket["ref"])
    assert stored.source == Ticket.Source.API
    assert Page.objects.filter(ticket=stored).exists()


@pytest.mark.django_db
def test_create_p2_pages_in_hours(api, team, in_working_hours):
    response = api.post(f"{API}/tickets", report_body(affects_half=False))
    assert response.status_code == 201
    ticket = response.json()
    assert ticket["priority"] == "P2"
    assert ticket["pages"] is True
    assert ticket["out_of_hours"] is False
    assert Page.objects.count() == 1


@pytest.mark.django_db
def test_create_p3_held_at_night(api, team, at_night):
    response = api.post(f"{API}/tickets", report_body(site_down=False, affects_half=False))
    assert response.status_code == 201
    ticket = response.json()
    assert ticket["priority"] == "P3"
    assert ticket["pages"] is False
    assert ticket["status"] == "held"
    assert ticket["state"] == "held"
    # Monday 12 January 2026 09:00 GMT is the next opening.
    assert ticket["release_at"] == "2026-01-12T09:00:00Z"
    assert "09:00 on Monday 12 January 2026 (UK time)" in ticket["next_steps"]
    assert Page.objects.count() == 0
    assert NotificationAttempt.objects.count() == 0


@pytest.mark.django_db
def test_create_p3_in_hours_open(api, team, in_working_hours):
    response = api.post(f"{API}/tickets", report_body(site_down=False, affects_half=False))
    ticket = response.json()
    assert ticket["status"] == "open"
    assert ticket["state"] == "received"
    assert ticket["release_at"] is None
    assert ticket["pages"] is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "site_down, affects_half, priority",
    [("yes", "yes", "P1"), ("no", "yes", "P2"), ("yes", False, "P2"), ("no", "no", "P3")],
)
def test_create_answers_as_strings(api, team, at_night, site_down, affects_half, priority):
    response = api.post(f"{API}/tickets", report_body(site_down=site_down, affects_half=affects_half))
    assert response.status_code == 201
    assert response.json()["priority"] == priority
    stored = Ticket.objects.get()
    assert stored.site_down is (site_down in ("yes", True))
    assert stored.affects_half is (affects_half in ("yes", True))


@pytest.mark.django_db
def test_create_invalid_fields_store_nothing(api, team, at_night):
    body = report_body(summary=..., reporter_email="dana-at-client")
    response = api.post(f"{API}/tickets", body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["summary"] == ["Enter a one-line summary."]
    assert errors["reporter_email"] == ["Enter a valid email address, such as name@example.com."]
    assert set(errors) == {"summary", "reporter_email"}
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_create_empty_object_lists_every_field(api, team):
    response = api.post(f"{API}/tickets", {})
    assert response.status_code == 400
    errors = response.json()["errors"]
    required = set(report_body())
    assert set(errors) == required
    assert "no default" in errors["site_down"][0]
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("answer", [None, 1, "Yes", "true", "", ["yes"]])
def test_create_rejects_bad_answer(api, team, answer):
    response = api.post(f"{API}/tickets", report_body(site_down=answer))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["site_down"]
    assert "true or false" in response.json()["errors"]["site_down"][0]
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_create_rejects_number_phone(api, team):
    response = api.post(f"{API}/tickets", report_body(reporter_phone=2079460000))
    assert response.status_code == 400
    assert response.json()["errors"] == {"reporter_phone": ["Send this field as a JSON string, not a number."]}


@pytest.mark.django_db
def test_create_rejects_short_phone(api, team):
    response = api.post(f"{API}/tickets", report_body(reporter_phone="12345"))
    assert response.status_code == 400
    assert "at least 7 digits" in response.json()["errors"]["reporter_phone"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw, content_type, expected",
    [
        ("{not json", "application/json", "not valid JSON"),
        (" ", "application/json", "not valid JSON"),
        # Django's test client sends no Content-Type with an empty body.
        ("", "application/json", "sent no Content-Type"),
        ('["a", "list"]', "application/json", "must be a JSON object"),
        ('"text"', "application/json", "must be a JSON object"),
        ("null", "application/json", "must be a JSON object"),
        (json.dumps(report_body()), "text/plain", "Content-Type: application/json"),
        ("summary=x", "application/x-www-form-urlencoded", "Content-Type: application/json"),
        (b"\xff\xfe{", "application/json", "not valid JSON"),
        ("[" * 100_000, "application/json", "not valid JSON"),
    ],
)
def test_create_rejects_bad_body(api, team, raw, content_type, expected):
    response = api.post(f"{API}/tickets", raw=raw, content_type=content_type)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["body"]
    assert expected in errors["body"][0]
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_create_body_too_large(api, team, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(f"{API}/tickets", report_body(description="x" * 2000))
    assert response.status_code == 413
    assert "larger than 1000 bytes" in response.json()["errors"]["body"][0]
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_create_ignores_unknown_keys(api, team):
    response = api.post(f"{API}/tickets", report_body(zendesk_id=12345))
    assert response.status_code == 201


@pytest.mark.django_db
def test_create_names_team(api, team, calendar, policy, at_night):
    Team.objects.create(slug="ops", name="Ops", calendar=calendar, escalation_policy=policy)
    response = api.post(f"{API}/tickets", report_body(team="web"))
    assert response.status_code == 201
    assert Ticket.objects.get().team == team


@pytest.mark.django_db
def test_create_team_needed_with_two(api, team, calendar, policy):
    Team.objects.create(slug="ops", name="Ops", calendar=calendar, escalation_policy=policy)
    response = api.post(f"{API}/tickets", report_body())
    assert response.status_code == 400
    message = response.json()["errors"]["team"][0]
    assert "more than one team" in message
    # The endpoint is public, so it does not list the teams.
    assert "ops" not in message
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_create_unknown_team_with_other_errors(api, team):
    response = api.post(f"{API}/tickets", report_body(team="nope", reporter_email="bad"))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["team"] == ["No team with the slug 'nope'. Ask the agency which team slug to use."]
    assert "reporter_email" in errors
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_create_without_any_team(api):
    response = api.post(f"{API}/tickets", report_body())
    assert response.status_code == 503
    assert "No team has been set up" in response.json()["errors"]["team"][0]


# Idempotency


@pytest.mark.django_db
def test_retry_returns_first_ticket(api, team, at_night):
    headers = {"Idempotency-Key": "zendesk-4711"}
    first = api.post(f"{API}/tickets", report_body(), headers=headers)
    before = counts()
    retry = api.post(f"{API}/tickets", report_body(), headers=headers)
    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.json()["ref"] == first.json()["ref"]
    assert counts() == before
    assert Ticket.objects.count() == 1
    assert Page.objects.count() == 1


@pytest.mark.django_db
def test_retry_with_yes_no_strings_same_report(api, team, at_night):
    headers = {"Idempotency-Key": "zendesk-4712"}
    api.post(f"{API}/tickets", report_body(), headers=headers)
    retry = api.post(f"{API}/tickets", report_body(site_down="yes", affects_half="yes"), headers=headers)
    assert retry.status_code == 200
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_key_reuse_different_body(api, team, at_night):
    headers = {"Idempotency-Key": "zendesk-4713"}
    api.post(f"{API}/tickets", report_body(), headers=headers)
    response = api.post(f"{API}/tickets", report_body(summary="Another problem"), headers=headers)
    assert response.status_code == 422
    message = response.json()["errors"]["idempotency_key"][0]
    assert "already used for a different report" in message
    assert Ticket.objects.count() == 1
    assert Page.objects.count() == 1


@pytest.mark.django_db
def test_key_length_limit(api, team):
    too_long = api.post(f"{API}/tickets", report_body(), headers={"Idempotency-Key": "k" * 201})
    assert too_long.status_code == 400
    assert "maximum is 200" in too_long.json()["errors"]["idempotency_key"][0]
    assert Ticket.objects.count() == 0
    longest = api.post(f"{API}/tickets", report_body(), headers={"Idempotency-Key": "k" * 200})
    assert longest.status_code == 201


@pytest.mark.django_db
def test_key_empty_rejected(api, team):
    response = api.post(f"{API}/tickets", report_body(), headers={"Idempotency-Key": "  "})
    assert response.status_code == 400
    assert "empty" in response.json()["errors"]["idempotency_key"][0]


@pytest.mark.django_db
def test_key_in_body(api, team, at_night):
    first = api.post(f"{API}/tickets", report_body(idempotency_key="zammad-31"))
    again = api.post(f"{API}/tickets", report_body(idempotency_key="zammad-31"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["ref"] == first.json()["ref"]
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_key_header_and_body_differ(api, team):
    response = api.post(f"{API}/tickets", report_body(idempotency_key="a"), headers={"Idempotency-Key": "b"})
    assert response.status_code == 400
    assert "differ" in response.json()["errors"]["idempotency_key"][0]
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_key_in_body_must_be_text(api, team):
    response = api.post(f"{API}/tickets", report_body(idempotency_key=31))
    assert response.status_code == 400
    assert "JSON string" in response.json()["errors"]["idempotency_key"][0]


# Duplicates and reporters


@pytest.mark.django_db
def test_duplicate_report_linked(api, team, at_night):
    first = api.post(f"{API}/tickets", report_body()).json()
    second = api.post(f"{API}/tickets", report_body(summary="Payments still failing")).json()
    assert first["duplicate_of"] is None
    assert second["duplicate_of"] == first["ref"]
    assert second["pages"] is False
    assert first["ref"] in second["next_steps"]
    assert Page.objects.count() == 1


@pytest.mark.django_db
def test_unknown_reporter_unverified(api, team, at_night):
    ticket = api.post(f"{API}/tickets", report_body()).json()
    assert ticket["verified"] is False
    assert ticket["pages"] is True


# Tokens


@pytest.mark.django_db
def test_ticket_needs_token(api, team):
    ref = api.post(f"{API}/tickets", report_body()).json()["ref"]
    response = api.get(f"{API}/tickets/{ref}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="oohdesk"'
    assert "Authorization: Bearer" in response.json()["errors"]["authorization"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header, challenge",
    [
        ("Bearer ooh_not-a-real-token", 'Bearer realm="oohdesk", error="invalid_token"'),
        ("Token abc", 'Bearer realm="oohdesk", error="invalid_request"'),
        ("Bearer", 'Bearer realm="oohdesk", error="invalid_request"'),
        ("Bearer two words", 'Bearer realm="oohdesk", error="invalid_request"'),
    ],
)
def test_ticket_bad_token(api, team, staff_token, header, challenge):
    response = api.get(f"{API}/tickets/OOH-AAAAAA", headers={"Authorization": header})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == challenge


@pytest.mark.django_db
def test_ticket_with_token(api, team, staff_token, at_night):
    ref = api.post(f"{API}/tickets", report_body()).json()["ref"]
    response = api.get(f"{API}/tickets/{ref}", headers=bearer(staff_token))
    assert response.status_code == 200
    ticket = response.json()
    assert ticket["ref"] == ref
    page = ticket["page"]
    assert page["id"] == Page.objects.get().id
    assert page["status"] == "triggered"
    assert page["step"] == 1
    assert page["round"] == 1
    assert page["acknowledged_at"] is None
    assert page["acknowledged_by"] is None
    assert ApiToken.objects.get().last_used_at == NIGHT


@pytest.mark.django_db
def test_ticket_after_escalation_ran_out(api, team, staff_token, at_night):
    ref = api.post(f"{API}/tickets", report_body()).json()["ref"]
    page = Page.objects.get()
    # The fixture policy has three steps of 5 minutes for P1 and runs them twice.
    for minutes in range(5, 35, 5):
        escalate_due_pages(NIGHT + timedelta(minutes=minutes))
    page.refresh_from_db()
    assert page.admins_alerted_at is not None
    response = api.get(f"{API}/tickets/{ref}", headers=bearer(staff_token))
    assert response.json()["page"]["step"] == 3
    assert response.json()["page"]["round"] == 2


@pytest.mark.django_db
def test_ticket_without_page(api, team, staff_token):
    ref = api.post(f"{API}/tickets", report_body(site_down="no", affects_half="no")).json()["ref"]
    response = api.get(f"{API}/tickets/{ref}", headers=bearer(staff_token))
    assert response.json()["page"] is None


@pytest.mark.django_db
def test_ticket_ref_any_case(api, team, staff_token):
    ref = api.post(f"{API}/tickets", report_body()).json()["ref"]
    response = api.get(f"{API}/tickets/{ref.lower()}", headers=bearer(staff_token))
    assert response.status_code == 200
    assert response.json()["ref"] == ref


@pytest.mark.django_db
def test_ticket_unknown_ref(api, team, staff_token):
    response = api.get(f"{API}/tickets/OOH-ZZZZZZ", headers=bearer(staff_token))
    assert response.status_code == 404
    assert response.json() == {"errors": {"ref": ["No ticket with this reference."]}}


@pytest.mark.django_db
@pytest.mark.parametrize("fields", [{"is_staff": False}, {"is_staff": True, "is_active": False}])
def test_non_staff_token_forbidden(api, team, django_user_model, fields):
    user = make_user(django_user_model, "customer-bot", **fields)
    _token, secret = ApiToken.issue(user, "bot")
    response = api.get(f"{API}/tickets/OOH-AAAAAA", headers=bearer(secret))
    assert response.status_code == 403
    assert "inactive or not staff" in response.json()["errors"]["authorization"][0]
    oncall = api.get(f"{API}/oncall", headers=bearer(secret))
    assert oncall.status_code == 403


# Who is on call


@pytest.mark.django_db
@pytest.mark.parametrize(
    "at, expected_at, name",
    [
        # 12 January 2026 is in GMT, so UTC and local time agree.
        ("2026-01-12T08:59:59Z", "2026-01-12T08:59:59Z", "Alice"),
        ("2026-01-12T09:00:00Z", "2026-01-12T09:00:00Z", "Bob"),
        # 30 March 2026 is in BST: a time without an offset is read in Europe/London.
        ("2026-03-30T08:59", "2026-03-30T07:59:00Z", "Bob"),
        ("2026-03-30T09:00", "2026-03-30T08:00:00Z", "Alice"),
        ("2026-03-30T09:00:00+01:00", "2026-03-30T08:00:00Z", "Alice"),
    ],
)
def test_oncall_either_side_of_handover(api, team, staff_token, at, expected_at, name):
    response = api.get(f"{API}/oncall", {"team": "web", "at": at}, headers=bearer(staff_token))
    assert response.status_code == 200
    body = response.json()
    assert body["team"] == "web"
    assert body["at"] == expected_at
    assert body["on_call"]["name"] == name
    assert body["on_call"]["email"] == f"{name.lower()}@agency.example"


@pytest.mark.django_db
def test_oncall_defaults(api, team, staff_token, at_night):
    response = api.get(f"{API}/oncall", headers=bearer(staff_token))
    assert response.json() == {
        "team": "web",
        "at": "2026-01-10T03:00:00Z",
        "on_call": {"name": "Alice", "email": "alice@agency.example"},
    }


@pytest.mark.django_db
def test_oncall_before_rota_starts(api, team, staff_token):
    response = api.get(f"{API}/oncall", {"at": "2026-01-05T08:59"}, headers=bearer(staff_token))
    assert response.status_code == 200
    assert response.json()["on_call"] is None


@pytest.mark.django_db
def test_oncall_bad_at(api, team, staff_token):
    response = api.get(f"{API}/oncall", {"at": "next monday"}, headers=bearer(staff_token))
    assert response.status_code == 400
    assert "not an ISO 8601 date and time" in response.json()["errors"]["at"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("at", ["9999-12-31T23:00-05:00", "9999-12-31T20:00", "0001-01-01T00:00", "0001-01-01T00:00+05:00"])
def test_oncall_at_out_of_range(api, team, staff_token, at):
    response = api.get(f"{API}/oncall", {"at": at}, headers=bearer(staff_token))
    assert response.status_code == 400
    assert "between the years 2 and 9998" in response.json()["errors"]["at"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "at, expected_at",
    [
        # Clocks go forward at 01:00 GMT on 29 March 2026: 01:30 takes the offset before the gap.
        ("2026-03-29T01:30", "2026-03-29T01:30:00Z"),
        # Clocks go back at 02:00 BST on 25 October 2026: 01:30 means its first occurrence, in BST.
        ("2026-10-25T01:30", "2026-10-25T00:30:00Z"),
    ],
)
def test_oncall_clock_changes(api, team, staff_token, at, expected_at):
    response = api.get(f"{API}/oncall", {"at": at}, headers=bearer(staff_token))
    assert response.json()["at"] == expected_at


@pytest.mark.django_db
def test_oncall_unencoded_plus(api, team, staff_token):
    # A + left unencoded in a query string arrives as a space.
    response = api.get(f"{API}/oncall?at=2026-03-30T09:00+01:00", headers=bearer(staff_token))
    assert response.status_code == 400
    assert "%2B" in response.json()["errors"]["at"][0]


@pytest.mark.django_db
def test_oncall_unknown_team(api, team, calendar, policy, staff_token):
    Team.objects.create(slug="ops", name="Ops", calendar=calendar, escalation_policy=policy)
    response = api.get(f"{API}/oncall", {"team": "nope"}, headers=bearer(staff_token))
    assert response.status_code == 400
    assert response.json()["errors"]["team"] == ["No team with the slug 'nope'. The teams are: ops, web."]
    unnamed = api.get(f"{API}/oncall", headers=bearer(staff_token))
    assert unnamed.status_code == 400
    assert "more than one team" in unnamed.json()["errors"]["team"][0]


@pytest.mark.django_db
def test_oncall_team_without_rota(api, team, calendar, policy, staff_token):
    Team.objects.create(slug="ops", name="Ops", calendar=calendar, escalation_policy=policy)
    response = api.get(f"{API}/oncall", {"team": "ops"}, headers=bearer(staff_token))
    assert response.status_code == 200
    assert response.json()["on_call"] is None


@pytest.mark.django_db
def test_oncall_segments_over_range(api, team, charlie, staff_token):
    from oohdesk.rota.overrides import add_override

    add_override(team.rota, charlie, utc(2026, 3, 28, 18), utc(2026, 3, 30, 12), utc(2026, 3, 1), "test")
    response = api.get(f"{API}/oncall", {"from": "2026-03-28T00:00", "to": "2026-04-07T00:00"}, headers=bearer(staff_token))
    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"]) == ("2026-03-28T00:00:00Z", "2026-04-06T23:00:00Z")
    rows = [(row["member"]["name"], row["start"], row["end"], row["source"]) for row in body["segments"]]
    assert rows == [
        ("Bob", "2026-03-28T00:00:00Z", "2026-03-28T18:00:00Z", "rota"),
        ("Charlie", "2026-03-28T18:00:00Z", "2026-03-30T12:00:00Z", "override"),
        ("Alice", "2026-03-30T12:00:00Z", "2026-04-06T08:00:00Z", "rota"),
        ("Bob", "2026-04-06T08:00:00Z", "2026-04-06T23:00:00Z", "rota"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"from": "2026-03-28T00:00"}, "to", "Missing to"),
        ({"to": "2026-03-28T00:00"}, "from", "Missing from"),
        ({"from": "2026-03-28", "to": "2026-03-29", "at": "2026-03-28"}, "at", "either at, or from and to"),
        ({"from": "2026-03-29", "to": "2026-03-28"}, "to", "after the start"),
        ({"from": "2026-01-01", "to": "2027-06-01"}, "to", "longer than 366 days"),
        ({"from": "soon", "to": "2026-03-28"}, "from", "not an ISO 8601"),
    ],
)
def test_oncall_range_errors(api, team, staff_token, query, field, message):
    response = api.get(f"{API}/oncall", query, headers=bearer(staff_token))
    assert response.status_code == 400
    assert message in response.json()["errors"][field][0]


@pytest.mark.django_db
def test_rota_check_lists_problems(api, team, staff_token, bob, at_night):
    bob.contact_methods.all().delete()
    response = api.get(f"{API}/rota/check", headers=bearer(staff_token))
    assert response.status_code == 200
    problems = response.json()["problems"]
    assert [(problem["code"], problem["member"]["name"]) for problem in problems] == [("no_contact_method", "Bob")]
    team.rota.memberships.all().delete()
    codes = {problem["code"] for problem in api.get(f"{API}/rota/check", {"team": "web"}, headers=bearer(staff_token)).json()["problems"]}
    assert codes == {"empty_rota", "gap"}


@pytest.mark.django_db
def test_rota_check_unknown_team(api, team, staff_token):
    response = api.get(f"{API}/rota/check", {"team": "nope"}, headers=bearer(staff_token))
    assert response.status_code == 400


# Acknowledging


@pytest.mark.django_db
def test_ack_stops_escalation(api, team, staff_token, at_night):
    api.post(f"{API}/tickets", report_body())
    page = Page.objects.get()
    pending = NotificationAttempt.objects.filter(page=page, status=NotificationAttempt.Status.PENDING)
    assert pending.count() == 1

    response = api.post(f"{API}/pages/{page.id}/ack", headers=bearer(staff_token))
    assert response.status_code == 200
    body = response.json()
    assert body["acknowledged"] is True
    assert body["message"] == "Acknowledged. Escalation has stopped."
    assert body["page"]["status"] == "acknowledged"
    assert body["page"]["acknowledged_at"] == "2026-01-10T03:00:00Z"
    assert body["page"]["acknowledged_by"] == "Alice"
    assert pending.count() == 0
    cancelled = NotificationAttempt.objects.filter(page=page, status=NotificationAttempt.Status.CANCELLED)
    assert cancelled.count() == 1
    assert escalate_due_pages(NIGHT + timedelta(hours=2)) == 0
    assert NotificationAttempt.objects.count() == 1
    page.refresh_from_db()
    assert page.acknowledged_via == "api"


@pytest.mark.django_db
def test_ack_twice(api, team, staff_token, at_night):
    api.post(f"{API}/tickets", report_body())
    page = Page.objects.get()
    api.post(f"{API}/pages/{page.id}/ack", headers=bearer(staff_token))
    second = api.post(f"{API}/pages/{page.id}/ack", headers=bearer(staff_token))
    assert second.status_code == 200
    assert second.json()["acknowledged"] is False
    assert second.json()["message"] == "This page was already acknowledged."
    assert second.json()["page"]["acknowledged_by"] == "Alice"


@pytest.mark.django_db
def test_ack_by_user_without_member(api, team, django_user_model, at_night):
    api.post(f"{API}/tickets", report_body())
    page = Page.objects.get()
    _token, secret = ApiToken.issue(make_user(django_user_model, "lead", is_staff=True), "lead")
    response = api.post(f"{API}/pages/{page.id}/ack", headers=bearer(secret))
    assert response.json()["acknowledged"] is True
    assert response.json()["page"]["acknowledged_by"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("page_id", [999, 2**70])
def test_ack_unknown_page(api, team, staff_token, page_id):
    response = api.post(f"{API}/pages/{page_id}/ack", headers=bearer(staff_token))
    assert response.status_code == 404
    assert response.json() == {"errors": {"id": ["No page with this id."]}}


@pytest.mark.django_db
def test_ack_needs_token(api, team, at_night):
    api.post(f"{API}/tickets", report_body())
    page = Page.objects.get()
    response = api.post(f"{API}/pages/{page.id}/ack")
    assert response.status_code == 401
    page.refresh_from_db()
    assert page.status == Page.Status.TRIGGERED


# Methods, unknown URLs and the document


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path, allowed",
    [("GET", "/tickets", "POST"), ("PUT", "/tickets", "POST"), ("POST", "/oncall", "GET"), ("DELETE", "/openapi.json", "GET")],
)
def test_wrong_method(api, team, method, path, allowed):
    response = api.call(method, f"{API}{path}")
    assert response.status_code == 405
    assert response["Allow"] == allowed
    assert f"use {allowed}" in response.json()["errors"]["method"][0]


@pytest.mark.django_db
def test_unknown_url(api):
    response = api.post(f"{API}/tickets/", {})
    assert response.status_code == 404
    assert "openapi.json" in response.json()["errors"]["path"][0]


def url_templates() -> set[str]:
    """Return the API's routes with every parameter written as {}, leaving out the JSON 404 catch-all."""
    routes = [str(pattern.pattern) for pattern in api_urls.urlpatterns]
    return {"/" + re.sub(r"<[^>]+>", "{}", route) for route in routes if not route.startswith("^")}


CALENDAR_PATHS = {
    "/calendars": ["get"],
    "/calendars/{slug}": ["get"],
    "/calendars/{slug}/hours": ["get"],
    "/calendars/{slug}/closures": ["get", "post"],
    "/calendars/{slug}/closures/{id}": ["delete"],
    "/calendars/{slug}/one-off-openings": ["get", "post"],
    "/calendars/{slug}/one-off-openings/{id}": ["delete"],
}


@pytest.mark.django_db
def test_document_lists_every_path(document):
    assert document["openapi"].startswith("3.1")
    described = {re.sub(r"\{[^}]+\}", "{}", path) for path in document["paths"]}
    assert described == url_templates()
    assert set(document["paths"]) == {
        "/tickets", "/tickets/{ref}", "/oncall", "/rota/check", "/pages/{id}/ack", "/openapi.json", *CALENDAR_PATHS,
    }


@pytest.mark.django_db
def test_document_marks_staff_calls(document):
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    security = {
        (path, method): operation["security"]
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }
    assert security == {
        ("/tickets", "post"): [],
        ("/tickets/{ref}", "get"): [{"bearerAuth": []}],
        ("/oncall", "get"): [{"bearerAuth": []}],
        ("/rota/check", "get"): [{"bearerAuth": []}],
        ("/pages/{id}/ack", "post"): [{"bearerAuth": []}],
        ("/openapi.json", "get"): [],
        **{(path, method): [{"bearerAuth": []}] for path, methods in CALENDAR_PATHS.items() for method in methods},
    }


@pytest.mark.django_db
def test_document_report_schema(document):
    report = document["components"]["schemas"]["TicketReport"]
    assert set(report["required"]) == set(report_body())
    assert "team" in report["properties"]
    assert schema_problems(report_body(), report, document) == []
    assert schema_problems(report_body(site_down="maybe"), report, document) != []


def test_checker_catches_mismatches():
    document = {"components": {"schemas": {"Thing": {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}, "additionalProperties": False}}}}
    schema = {"$ref": "#/components/schemas/Thing"}
    assert schema_problems({"a": 1}, schema, document) == []
    assert schema_problems({"a": "1"}, schema, document) == ["$.a: '1' is not of type ['integer']"]
    assert schema_problems({}, schema, document) == ["$: missing 'a'"]
    assert schema_problems({"a": 1, "b": 2}, schema, document) == ["$: unexpected key 'b'"]
    assert schema_problems(True, {"type": "integer"}, document) != []


# Management command


@pytest.mark.django_db
def test_createtoken_prints_working_secret(api, team, django_user_model, capsys):
    make_user(django_user_model, "dana", is_staff=True)
    call_command("createtoken", "dana", "--name", "zendesk")
    lines = capsys.readouterr().out.splitlines()
    secret = lines[1]
    assert secret.startswith("ooh_")
    assert ApiToken.objects.get().name == "zendesk"
    response = api.get(f"{API}/oncall", headers=bearer(secret))
    assert response.status_code == 200


@pytest.mark.django_db
def test_createtoken_warns_non_staff(django_user_model, capsys):
    make_user(django_user_model, "dana")
    call_command("createtoken", "dana")
    assert "not staff" in capsys.readouterr().err


@pytest.mark.django_db
def test_createtoken_unknown_user():
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("createtoken", "nobody")
    assert ApiToken.objects.count() == 0


# Real HTTP


def test_live_http(live_server, transactional_db, team, staff_token):
    def checked(method: str, path: str, **kwargs) -> httpx.Response:
        response = http.request(method, path, **kwargs)
        assert response.headers["Content-Type"] == "application/json", response.text[:200]
        check_response(document, method, f"{API}{path}", response.status_code, response.headers, response.json())
        return response

    with httpx.Client(base_url=f"{live_server.url}{API}", timeout=10) as http:
        listed = http.get("/openapi.json")
        assert listed.status_code == 200
        document = listed.json()

        created = checked("POST", "/tickets", json=report_body(), headers={"Idempotency-Key": "live-1"})
        assert created.status_code == 201
        assert created.json()["pages"] is True

        retry = checked("POST", "/tickets", json=report_body(), headers={"Idempotency-Key": "live-1"})
        assert retry.status_code == 200
        ref = created.json()["ref"]
        assert retry.json()["ref"] == ref

        unauthorised = checked("GET", f"/tickets/{ref}")
        assert unauthorised.status_code == 401
        assert unauthorised.headers["WWW-Authenticate"] == 'Bearer realm="oohdesk"'

        found = checked("GET", f"/tickets/{ref}", headers=bearer(staff_token))
        assert found.status_code == 200
        assert found.json()["page"]["status"] == "triggered"

        not_json = checked("POST", "/tickets", content=b"hello", headers={"Content-Type": "application/json"})
        assert not_json.status_code == 400

    assert Ticket.objects.count() == 1
    assert Page.objects.count() == 1
