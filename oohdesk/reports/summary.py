"""The weekly well-being summary, sent to the support leads as a normal-priority notice.

Notices go through ``queue_notice``, so each lead receives the summary in
their own working hours, never at night or at the weekend.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from oohdesk.paging.notices import queue_notice
from oohdesk.reports.figures import Period, Wellbeing
from oohdesk.tickets.misuse import support_leads


def week_period(day: date, zone: ZoneInfo) -> Period:
    """Return the Monday-to-Sunday week that contains ``day``."""
    monday = day - timedelta(days=day.weekday())
    return Period(monday, monday + timedelta(days=6), zone)


def summary_text(figures: Wellbeing) -> tuple[str, str]:
    """Return the title and body of the summary notice for one week's figures."""
    period = figures.period
    [tally] = figures.weeks.values()
    title = f"Well-being summary for the week of {period.first.day} {period.first:%B %Y}"
    lines = [
        f"Pages: {tally.pages}, of which {tally.out_of_hours_pages} out of hours; {tally.escalated} escalated.",
        f"Interruptions: {tally.interruptions}, of which {tally.out_of_hours} out of hours and {tally.night} at night.",
        "",
    ]
    people = sorted(figures.people.items(), key=lambda item: -item[1].interruptions)
    for member_id, person in people:
        lines.append(
            f"{figures.members[member_id].name}: {_pages(person.interruptions)} received, "
            f"{person.out_of_hours} out of hours, {person.night} at night."
        )
    if not people:
        lines.append("Nobody was paged.")
    return title, "\n".join(lines)


def _pages(count: int) -> str:
    return f"{count} page" if count == 1 else f"{count} pages"


def send_weekly_summary(figures: Wellbeing, at: datetime) -> list:
    """Queue the summary to each support lead; return the queued notification attempts."""
    title, body = summary_text(figures)
    attempts = []
    for lead in support_leads():
        attempts.extend(queue_notice(lead, title, body, at))
    return attempts
