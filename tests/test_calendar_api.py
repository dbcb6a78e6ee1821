"""The calendar endpoints of the JSON API; every response is checked against openapi.json."""

from datetime import date, time

import pytest

from calendars import make_calendar, uk
from oohdesk.hours.models import Closure, OneOffOpening
from oohdesk.api.models import ApiToken
from test_api import API, api, bearer, document  # noqa: F401 (fixtures)


@pytest.fixture
def staff_token(django_user_model) -> str:
    """The secret of a staff user's token; the user has no password, which keeps the fixture fast."""
    user = django_user_model.objects.create_user(username="erin", is_staff=True)
    _token, secret = ApiToken.issue(user, "tests")
    return secret


@pytest.fixture
def office(db):
    return make_calendar("office", "GB", "ENG")


def test_list_calendars(api, office, staff_token):
    response = api.get(f"{API}/calendars", headers=bearer(staff_token))
    assert response.status_code == 200
    [calendar] = response.json()["calendars"]
    assert calendar["slug"] == "office"
    assert calendar["region"] == {"country": "GB", "subdivision": "ENG", "name": "England (GB-ENG)"}
    assert calendar["opening_hours"]["monday"] == ["09:00-17:00"]
    assert calendar["opening_hours"]["sunday"] == []


def test_calendars_need_token(api, office):
    assert api.get(f"{API}/calendars").status_code == 401
    assert api.get(f"{API}/calendars/office/hours").status_code == 401


def test_unknown_calendar(api, office, staff_token):
    response = api.get(f"{API}/calendars/nowhere/hours", headers=bearer(staff_token))
    assert response.status_code == 404
    assert response.json()["errors"]["slug"] == ["No calendar with the slug 'nowhere'. The calendars are: office."]


def test_hours_on_holiday(api, office, staff_token):
    response = api.get(f"{API}/calendars/office/hours", {"at": "2027-12-27T12:00"}, headers=bearer(staff_token))
    assert response.json() == {
        "calendar": "office",
        "at": "2027-12-27T12:00:00Z",
        "in_hours": False,
        "next_opening": "2027-12-29T09:00:00Z",
        "holiday": "Christmas Day (observed)",
        "closure": None,
        "one_off_opening": None,
        "add": None,
        "result": None,
    }


def test_hours_add(api, office, staff_token):
    query = {"at": "2027-03-25T16:00", "add": "4h"}
    body = api.get(f"{API}/calendars/office/hours", query, headers=bearer(staff_token)).json()
    # Good Friday, the clock change on Easter Sunday and Easter Monday: Tuesday 12:00 BST.
    assert body["result"] == "2027-03-30T11:00:00Z"
    assert body["add"] == "4h"


@pytest.mark.parametrize(
    ("query", "field"),
    [({"add": "four hours"}, "add"), ({"add": "-1h"}, "add"), ({"at": "tomorrow"}, "at")],
)
def test_hours_bad_query(api, office, staff_token, query, field):
    response = api.get(f"{API}/calendars/office/hours", query, headers=bearer(staff_token))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_closures_list_sources(api, office, staff_token):
    Closure.objects.create(calendar=office, name="Christmas shutdown", first_day=date(2026, 12, 24), last_day=date(2027, 1, 1))
    response = api.get(f"{API}/calendars/office/closures", {"from": "2026-12-20", "days": "14"}, headers=bearer(staff_token))
    body = response.json()
    assert response.status_code == 200
    assert (body["from"], body["to"]) == ("2026-12-20", "2027-01-02")
    assert [(item["first_day"], item["name"], item["source"]) for item in body["closures"]] == [
        ("2026-12-24", "Christmas shutdown", "agency"),
        ("2026-12-25", "Christmas Day", "region"),
        ("2026-12-26", "Boxing Day", "region"),
        ("2026-12-28", "Boxing Day (observed)", "region"),
        ("2027-01-01", "New Year's Day", "region"),
    ]
    assert body["closures"][0]["id"] == Closure.objects.get().id
    assert body["closures"][1]["id"] is None


def test_closures_default_from_today(api, office, staff_token, time_machine):
    time_machine.move_to("2027-12-01T12:00Z", tick=False)
    # 365 dates from 1 December 2027, which include 29 February 2028.
    body = api.get(f"{API}/calendars/office/closures", headers=bearer(staff_token)).json()
    assert (body["from"], body["to"]) == ("2027-12-01", "2028-11-29")
    assert body["closures"][0]["name"] == "Christmas Day"


@pytest.mark.parametrize(("query", "field"), [({"from": "2026-13-01"}, "from"), ({"days": "0"}, "days"), ({"days": "many"}, "days")])
def test_closures_bad_range(api, office, staff_token, query, field):
    response = api.get(f"{API}/calendars/office/closures", query, headers=bearer(staff_token))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_add_and_remove_closure(api, office, staff_token):
    body = {"name": "Staff away day", "first_day": "2027-06-11"}
    response = api.post(f"{API}/calendars/office/closures", body, headers=bearer(staff_token))
    assert response.status_code == 201
    created = response.json()
    assert created == {"id": created["id"], "name": "Staff away day", "first_day": "2027-06-11", "last_day": "2027-06-11", "source": "agency"}
    assert not office.working_hours().is_open(uk("2027-06-11T10:00"))

    removed = api.call("DELETE", f"{API}/calendars/office/closures/{created['id']}", headers=bearer(staff_token))
    assert removed.status_code == 200
    assert Closure.objects.count() == 0
    again = api.call("DELETE", f"{API}/calendars/office/closures/{created['id']}", headers=bearer(staff_token))
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"name", "first_day"}),
        ({"name": "Backwards", "first_day": "2027-06-11", "last_day": "2027-06-10"}, {"last_day"}),
        ({"name": "Bad", "first_day": "11/06/2027"}, {"first_day"}),
        ({"name": 7, "first_day": "2027-06-11"}, {"name"}),
    ],
)
def test_add_closure_invalid(api, office, staff_token, body, errors):
    response = api.post(f"{API}/calendars/office/closures", body, headers=bearer(staff_token))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == errors
    assert Closure.objects.count() == 0


def test_add_one_off_opening_midnight(api, office, staff_token):
    body = {"name": "Launch night", "date": "2026-12-28", "opens": "18:00", "closes": "24:00"}
    response = api.post(f"{API}/calendars/office/one-off-openings", body, headers=bearer(staff_token))
    assert response.status_code == 201
    assert response.json()["hours"] == "18:00-00:00"
    assert OneOffOpening.objects.get().closes == time(0)
    hours = office.working_hours()
    assert hours.is_open(uk("2026-12-28T23:59:59"))
    listed = api.get(f"{API}/calendars/office/one-off-openings", {"from": "2026-12-01"}, headers=bearer(staff_token))
    assert [item["name"] for item in listed.json()["one_off_openings"]] == ["Launch night"]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"name": "Late", "date": "2026-12-28", "opens": "13:00", "closes": "11:00"}, {"closes"}),
        ({"name": "Overlap", "date": "2026-12-28", "opens": "09:30", "closes": "10:30"}, {"body"}),
        ({"date": "2026-12-28", "opens": "25:00"}, {"name", "opens", "closes"}),
    ],
)
def test_add_one_off_opening_invalid(api, office, staff_token, body, errors):
    OneOffOpening.objects.create(calendar=office, name="Morning", date=date(2026, 12, 28), opens=time(9), closes=time(12))
    response = api.post(f"{API}/calendars/office/one-off-openings", body, headers=bearer(staff_token))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == errors
    assert OneOffOpening.objects.count() == 1


def test_remove_one_off_opening(api, office, staff_token):
    row = OneOffOpening.objects.create(calendar=office, name="Morning", date=date(2026, 12, 28), opens=time(9), closes=time(12))
    response = api.call("DELETE", f"{API}/calendars/office/one-off-openings/{row.id}", headers=bearer(staff_token))
    assert response.status_code == 200
    assert response.json()["name"] == "Morning"
    assert OneOffOpening.objects.count() == 0
