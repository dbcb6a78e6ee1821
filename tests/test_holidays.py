"""Public holidays by region, agency closures and one-off openings, with real dates in 2026-2028.

The expected lists were checked by hand against the rules for UK bank
holidays: Easter Sunday is 5 April 2026, 28 March 2027 and 16 April 2028; a
holiday on a weekend moves to the next weekday that is not already one.
"""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from calendars import make_calendar, make_team, uk
from oohdesk.hours.closures import Closures, Source
from oohdesk.hours.models import BusinessCalendar, Closure, OneOffOpening
from oohdesk.hours.regions import RegionError, check_region, public_holidays, region_label

ENGLAND_AND_WALES = {
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25), date(2026, 8, 31),
    date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 28),
    date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3), date(2027, 5, 31), date(2027, 8, 30),
    date(2027, 12, 25), date(2027, 12, 26), date(2027, 12, 27), date(2027, 12, 28),
    date(2028, 1, 1), date(2028, 1, 3), date(2028, 4, 14), date(2028, 4, 17), date(2028, 5, 1), date(2028, 5, 29),
    date(2028, 8, 28), date(2028, 12, 25), date(2028, 12, 26),
}

SCOTLAND = {
    date(2026, 1, 1), date(2026, 1, 2), date(2026, 4, 3), date(2026, 5, 4), date(2026, 5, 25),
    # A one-off bank holiday for the men's football World Cup, by Royal Proclamation of 3 February 2026.
    date(2026, 6, 15),
    date(2026, 8, 3), date(2026, 11, 30), date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 28),
    date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 4), date(2027, 3, 26), date(2027, 5, 3), date(2027, 5, 31),
    date(2027, 8, 2), date(2027, 11, 30), date(2027, 12, 25), date(2027, 12, 26), date(2027, 12, 27), date(2027, 12, 28),
    date(2028, 1, 1), date(2028, 1, 2), date(2028, 1, 3), date(2028, 1, 4), date(2028, 4, 14), date(2028, 5, 1),
    date(2028, 5, 29), date(2028, 8, 7), date(2028, 11, 30), date(2028, 12, 25), date(2028, 12, 26),
}

NORTHERN_IRELAND = ENGLAND_AND_WALES | {
    date(2026, 3, 17), date(2026, 7, 12), date(2026, 7, 13),
    date(2027, 3, 17), date(2027, 7, 12),
    date(2028, 3, 17), date(2028, 7, 12),
}


def holidays_2026_to_2028(subdivision: str) -> set[date]:
    return {day for year in (2026, 2027, 2028) for day in public_holidays("GB", subdivision, year)}


@pytest.mark.parametrize(
    ("subdivision", "expected"),
    [("ENG", ENGLAND_AND_WALES), ("WLS", ENGLAND_AND_WALES), ("SCT", SCOTLAND), ("NIR", NORTHERN_IRELAND)],
)
def test_uk_bank_holidays(subdivision, expected):
    assert holidays_2026_to_2028(subdivision) == expected


def test_substitute_days_named():
    assert public_holidays("GB", "ENG", 2027)[date(2027, 12, 27)] == "Christmas Day (observed)"
    assert public_holidays("GB", "ENG", 2027)[date(2027, 12, 28)] == "Boxing Day (observed)"
    assert public_holidays("GB", "ENG", 2028)[date(2028, 1, 3)] == "New Year's Day (observed)"


def test_scotland_lacks_easter_monday():
    assert date(2026, 4, 6) not in public_holidays("GB", "SCT", 2026)
    assert date(2026, 1, 2) not in public_holidays("GB", "ENG", 2026)


def test_no_region_no_holidays():
    assert public_holidays("", "", 2026) == {}
    assert not Closures("", "").is_closed(date(2026, 12, 25))


@pytest.mark.parametrize(
    ("country", "subdivision", "field", "message"),
    [
        ("GB", "", "subdivision", "GB needs a subdivision because its holidays differ within it; use one of ENG, NIR, SCT, WLS"),
        ("GB", "XX", "subdivision", '"XX" is not a subdivision of GB; use one of ENG, NIR, SCT, WLS'),
        ("ZZ", "", "country", '"ZZ" is not a country code that public holidays are known for'),
        ("", "ENG", "country", "a subdivision needs a country"),
    ],
)
def test_region_rejected(country, subdivision, field, message):
    with pytest.raises(RegionError) as caught:
        check_region(country, subdivision)
    assert caught.value.field == field
    assert message in str(caught.value)


def test_region_without_subdivision_allowed():
    check_region("FR", "")
    assert date(2026, 7, 14) in public_holidays("FR", "", 2026)


def test_region_labels():
    assert region_label("GB", "SCT") == "Scotland (GB-SCT)"
    assert region_label("GB", "NIR") == "Northern Ireland (GB-NIR)"
    assert region_label("FR", "") == "France (FR)"
    assert region_label("", "") == "none"


@pytest.mark.django_db
def test_calendar_clean_names_field():
    calendar = BusinessCalendar(slug="edinburgh", name="Edinburgh", country="GB", subdivision="")
    with pytest.raises(ValidationError) as caught:
        calendar.full_clean()
    assert list(caught.value.message_dict) == ["subdivision"]
    assert caught.value.message_dict["subdivision"][0].startswith("GB needs a subdivision")


@pytest.mark.django_db
def test_agency_closure_closes_days():
    office = make_calendar("office", "GB", "ENG")
    Closure.objects.create(calendar=office, name="Christmas shutdown", first_day=date(2026, 12, 21), last_day=date(2027, 1, 1))
    hours = office.working_hours()
    assert hours.is_open(uk("2026-12-18T16:59"))
    assert not hours.is_open(uk("2026-12-21T10:00"))
    assert not hours.is_open(uk("2027-01-01T10:00"))
    assert hours.next_opening(uk("2026-12-18T17:00")) == uk("2027-01-04T09:00")


@pytest.mark.django_db
def test_staff_day_on_one_date():
    office = make_calendar("office", "GB", "ENG")
    Closure.objects.create(calendar=office, name="Staff day", first_day=date(2027, 6, 11), last_day=date(2027, 6, 11))
    hours = office.working_hours()
    assert not hours.is_open(uk("2027-06-11T12:00"))
    assert hours.next_opening(uk("2027-06-10T17:00")) == uk("2027-06-14T09:00")


@pytest.mark.django_db
def test_closure_last_day_before_first_rejected():
    office = make_calendar("office")
    closure = Closure(calendar=office, name="Backwards", first_day=date(2027, 6, 11), last_day=date(2027, 6, 10))
    with pytest.raises(ValidationError) as caught:
        closure.full_clean()
    assert "last_day" in caught.value.message_dict


@pytest.mark.django_db
def test_one_off_opening_opens_bank_holiday():
    office = make_calendar("office", "GB", "ENG")
    OneOffOpening.objects.create(calendar=office, name="Launch", date=date(2026, 12, 28), opens=time(10), closes=time(14))
    hours = office.working_hours()
    assert not hours.is_open(uk("2026-12-28T09:59"))
    assert hours.is_open(uk("2026-12-28T10:00"))
    assert not hours.is_open(uk("2026-12-28T14:00"))
    assert hours.next_opening(uk("2026-12-24T17:00")) == uk("2026-12-28T10:00")


@pytest.mark.django_db
def test_one_off_opening_opens_closure_and_weekend():
    office = make_calendar("office", "GB", "ENG")
    Closure.objects.create(calendar=office, name="Shutdown", first_day=date(2026, 12, 21), last_day=date(2027, 1, 1))
    OneOffOpening.objects.create(calendar=office, name="Year end", date=date(2026, 12, 30), opens=time(9), closes=time(12))
    OneOffOpening.objects.create(calendar=office, name="Saturday", date=date(2027, 1, 2), opens=time(22), closes=time(0))
    hours = office.working_hours()
    assert hours.next_opening(uk("2026-12-18T17:00")) == uk("2026-12-30T09:00")
    assert hours.next_opening(uk("2026-12-30T12:00")) == uk("2027-01-02T22:00")
    assert hours.is_open(uk("2027-01-02T23:59:59"))
    assert not hours.is_open(uk("2027-01-03T00:00"))


@pytest.mark.django_db
def test_one_off_opening_shortens_day():
    office = make_calendar("office")
    OneOffOpening.objects.create(calendar=office, name="Christmas Eve", date=date(2026, 12, 24), opens=time(9), closes=time(13))
    hours = office.working_hours()
    assert hours.is_open(uk("2026-12-24T12:59"))
    assert not hours.is_open(uk("2026-12-24T13:00"))
    assert hours.add(uk("2026-12-24T12:00"), timedelta(hours=2)) == uk("2026-12-25T10:00")


@pytest.mark.django_db
def test_upcoming_closures_with_source():
    office = make_calendar("office", "GB", "SCT")
    Closure.objects.create(calendar=office, name="Christmas shutdown", first_day=date(2026, 12, 24), last_day=date(2027, 1, 4))
    Closure.objects.create(calendar=office, name="Old", first_day=date(2025, 1, 1), last_day=date(2025, 1, 2))
    listed = office.closures_in_force().between(date(2026, 12, 1), date(2027, 1, 31))
    assert [(item.first_day, item.name, item.source) for item in listed] == [
        (date(2026, 12, 24), "Christmas shutdown", Source.AGENCY),
        (date(2026, 12, 25), "Christmas Day", Source.REGION),
        (date(2026, 12, 26), "Boxing Day", Source.REGION),
        (date(2026, 12, 28), "Boxing Day (observed)", Source.REGION),
        (date(2027, 1, 1), "New Year's Day", Source.REGION),
        (date(2027, 1, 2), "New Year Holiday", Source.REGION),
        (date(2027, 1, 4), "New Year Holiday (observed)", Source.REGION),
    ]
    assert listed[0].last_day == date(2027, 1, 4)
    assert listed[0].closure_id is not None
    assert listed[1].closure_id is None


@pytest.mark.django_db
def test_teams_use_own_calendars(policy):
    england = make_team("england", make_calendar("england", "GB", "ENG"), policy)
    scotland = make_team("scotland", make_calendar("scotland", "GB", "SCT"), policy)
    easter_monday = uk("2026-04-06T10:00")
    assert not england.calendar.working_hours().is_open(easter_monday)
    assert scotland.calendar.working_hours().is_open(easter_monday)
