"""The working-hours staff pages: calendars, upcoming closures with their source, and changing closures and openings."""

from datetime import date, time

import pytest
import time_machine
from django.urls import reverse

from calendars import make_calendar, uk
from oohdesk.hours.models import Closure, OneOffOpening
from oohdesk.rota.models import Member

# Friday 4 December 2026, 19:00 UK time.
FRIDAY_EVENING = uk("2026-12-04T19:00")


@pytest.fixture
def office(db):
    return make_calendar("office", "GB", "SCT")


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("erin", is_staff=True)
    client.force_login(user)
    return client


@pytest.fixture
def member_client(client, django_user_model):
    user = django_user_model.objects.create_user("dana")
    Member.objects.create(name="Dana", email="dana@agency.example", user=user)
    client.force_login(user)
    return client


def page(client, url: str, **query) -> str:
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def test_pages_need_login(client, office):
    response = client.get(reverse("hours"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_shows_state(member_client, office):
    html = page(member_client, reverse("hours"))
    assert "Scotland (GB-SCT)" in html
    assert "Closed" in html
    assert "Next opens 09:00 on Monday 7 December 2026 (UK time)" in html


def test_detail_lists_closures_with_source(member_client, office):
    Closure.objects.create(calendar=office, name="Christmas shutdown", first_day=date(2026, 12, 24), last_day=date(2027, 1, 4))
    html = page(member_client, reverse("hours-calendar", args=["office"]))
    assert "out of hours" in html
    assert "Working hours next begin at 09:00 on Monday 7 December 2026 (UK time)." in html
    rows = html.split("Upcoming closures")[1].split("One-off openings")[0]
    assert rows.index("Christmas shutdown") < rows.index("Christmas Day") < rows.index("New Year Holiday")
    assert "<td>Thu 24 Dec 2026 to Mon 4 Jan 2027</td>\n    <td>Christmas shutdown</td>\n    <td>Agency closure</td>" in rows
    assert "<td>Mon 30 Nov 2026</td>" not in rows
    assert "<td>Mon 28 Dec 2026</td>\n    <td>Boxing Day (observed)</td>\n    <td>Public holiday</td>" in rows
    assert "<td>Mon 3 Aug 2026</td>" not in rows
    assert "Summer Bank Holiday" in rows


def test_members_cannot_change(member_client, office):
    html = page(member_client, reverse("hours-calendar", args=["office"]))
    assert "Add an agency closure" not in html
    response = member_client.post(reverse("hours-add-closure", args=["office"]), {"closure-name": "X", "closure-first_day": "2027-06-11"})
    assert response.status_code == 403
    assert Closure.objects.count() == 0


def test_staff_adds_closure(staff_client, office):
    data = {"closure-name": "Staff away day", "closure-first_day": "2027-06-11", "closure-last_day": ""}
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        response = staff_client.post(reverse("hours-add-closure", args=["office"]), data, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    closure = Closure.objects.get()
    assert (closure.first_day, closure.last_day) == (date(2027, 6, 11), date(2027, 6, 11))
    assert "Added the closure Staff away day (2027-06-11)." in html
    assert "<td>Fri 11 Jun 2027</td>\n    <td>Staff away day</td>\n    <td>Agency closure</td>" in html


def test_staff_closure_errors(staff_client, office):
    data = {"closure-name": "", "closure-first_day": "2027-06-11", "closure-last_day": "2027-06-01"}
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        response = staff_client.post(reverse("hours-add-closure", args=["office"]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in html
    assert "The last day must be on or after the first day." in html
    assert Closure.objects.count() == 0


def test_staff_removes_closure(staff_client, office):
    closure = Closure.objects.create(calendar=office, name="Staff day", first_day=date(2027, 6, 11), last_day=date(2027, 6, 11))
    html = page(staff_client, reverse("hours-calendar", args=["office"]))
    remove_url = reverse("hours-remove-closure", args=["office", closure.id])
    assert remove_url in html
    response = staff_client.post(remove_url)
    assert response.status_code == 302
    assert Closure.objects.count() == 0


def test_staff_adds_midnight_opening(staff_client, office):
    data = {"opening-name": "Launch night", "opening-date": "2026-12-28", "opening-opens": "20:00", "opening-closes": "24:00"}
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        response = staff_client.post(reverse("hours-add-opening", args=["office"]), data, follow=True)
    html = response.content.decode()
    opening = OneOffOpening.objects.get()
    assert (opening.opens, opening.closes) == (time(20), time(0))
    assert "<td>Mon 28 Dec 2026</td>\n    <td>20:00-24:00</td>\n    <td>Launch night</td>" in html
    assert office.working_hours().is_open(uk("2026-12-28T23:59:59"))


def test_staff_opening_overlap(staff_client, office):
    OneOffOpening.objects.create(calendar=office, name="Morning", date=date(2026, 12, 28), opens=time(9), closes=time(12))
    data = {"opening-name": "Late morning", "opening-date": "2026-12-28", "opening-opens": "11:00", "opening-closes": "13:00"}
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        response = staff_client.post(reverse("hours-add-opening", args=["office"]), data)
    assert response.status_code == 400
    assert "This overlaps the one-off opening Morning" in response.content.decode()
    assert OneOffOpening.objects.count() == 1


def test_staff_removes_opening(staff_client, office):
    opening = OneOffOpening.objects.create(calendar=office, name="Morning", date=date(2026, 12, 28), opens=time(9), closes=time(12))
    response = staff_client.post(reverse("hours-remove-opening", args=["office", opening.id]))
    assert response.status_code == 302
    assert OneOffOpening.objects.count() == 0


def test_check_a_time(member_client, office):
    html = page(member_client, reverse("hours-calendar", args=["office"]), at="2026-12-31T16:00", add="4h")
    answer = html.split('aria-label="Answer"')[1]
    assert "16:00 on Thursday 31 December 2026 (UK time) is <strong>in working hours</strong>" in answer
    # 1 hour on Thursday. 1 and 2 January are Scottish bank holidays, and 2 January 2027
    # is a Saturday, so Monday 4 January is its substitute: Tuesday 5 January at 12:00.
    assert "4h of working time later is <strong>12:00 on Tuesday 5 January 2027 (UK time)</strong>" in answer


def test_check_a_time_errors(member_client, office):
    html = page(member_client, reverse("hours-calendar", args=["office"]), at="soon", add="4 hours")
    answer = html.split('aria-label="Answer"')[1]
    assert "Time: &#x27;soon&#x27; is not an ISO 8601 date and time" in answer
    assert "Working time to add: &quot;4 hours&quot; is not a duration" in answer


def test_admin_accepts_midnight(staff_client, office, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@agency.example", None)
    staff_client.force_login(admin_user)
    url = reverse("admin:hours_businesscalendar_change", args=[office.id])
    form = staff_client.get(url)
    assert form.status_code == 200
    data = {
        "slug": "office", "name": "Office", "time_zone": "Europe/London", "country": "gb", "subdivision": "SCT",
        "openings-TOTAL_FORMS": "1", "openings-INITIAL_FORMS": "0",
        "openings-0-weekday": "5", "openings-0-opens": "22:00", "openings-0-closes": "24:00",
        "closures-TOTAL_FORMS": "0", "closures-INITIAL_FORMS": "0",
        "one_off_openings-TOTAL_FORMS": "0", "one_off_openings-INITIAL_FORMS": "0",
    }
    office.openings.all().delete()
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    office.refresh_from_db()
    assert office.country == "GB"
    assert [(row.weekday, row.opens, row.closes) for row in office.openings.all()] == [(5, time(22), time(0))]


def test_same_closure_twice_rejected(db, calendar):
    from oohdesk.hours.forms import ClosureForm
    from oohdesk.hours.models import Closure

    Closure.objects.create(calendar=calendar, name="Christmas shutdown", first_day="2026-12-24", last_day="2027-01-01")
    form = ClosureForm(
        {"name": "Festive break", "first_day": "2026-12-24", "last_day": "2027-01-01"},
        instance=Closure(calendar=calendar),
    )
    assert not form.is_valid()
    assert "Christmas shutdown" in form.errors["first_day"][0]
    assert Closure.objects.count() == 1
