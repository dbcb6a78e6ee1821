"""The well-being report as CSV: one file per table, with times to acknowledge in whole seconds."""

from collections.abc import Iterator

from oohdesk.reports.fairness import FairnessRow
from oohdesk.reports.figures import Tally, Wellbeing
from oohdesk.reports.organisations import OrganisationRow

TALLY_COLUMNS = [
    "interruptions",
    "out_of_hours_interruptions",
    "night_interruptions",
    "acknowledged",
    "ack_median_seconds",
    "ack_p90_seconds",
]


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _tally_cells(tally: Tally) -> list:
    return [
        tally.interruptions,
        tally.out_of_hours,
        tally.night,
        tally.acknowledged,
        _seconds(tally.ack_median),
        _seconds(tally.ack_p90),
    ]


def week_rows(figures: Wellbeing) -> Iterator[list]:
    yield ["week_starting", "pages", "out_of_hours_pages", *TALLY_COLUMNS, "escalated_pages"]
    for week, tally in sorted(figures.weeks.items()):
        yield [week.isoformat(), tally.pages, tally.out_of_hours_pages, *_tally_cells(tally), tally.escalated]


def people_rows(figures: Wellbeing) -> Iterator[list]:
    yield ["member", *TALLY_COLUMNS, "escalated_past"]
    for member_id, tally in sorted(figures.people.items(), key=lambda item: figures.members[item[0]].name):
        yield [figures.members[member_id].name, *_tally_cells(tally), tally.escalated]


def people_week_rows(figures: Wellbeing) -> Iterator[list]:
    yield ["week_starting", "member", *TALLY_COLUMNS, "escalated_past"]
    ordered = sorted(figures.people_weeks.items(), key=lambda item: (item[0][0], figures.members[item[0][1]].name))
    for (week, member_id), tally in ordered:
        yield [week.isoformat(), figures.members[member_id].name, *_tally_cells(tally), tally.escalated]


def organisation_rows(rows: list[OrganisationRow]) -> Iterator[list]:
    yield [
        "organisation",
        "urgent_reports",
        "not_genuine",
        "not_genuine_share",
        "deferred",
        "deferred_share",
        "not_judged",
        "flagged",
    ]
    for row in rows:
        yield [
            row.organisation,
            row.urgent_reports,
            row.not_genuine,
            _share(row.not_genuine_share),
            row.deferred,
            _share(row.deferred_share),
            row.not_judged,
            "yes" if row.flagged else "no",
        ]


def fairness_rows(rows: list[FairnessRow]) -> Iterator[list]:
    yield ["team", "member", "days", "weeks", "weekend_days", "weekends", "bank_holidays", "bank_holiday_dates"]
    for row in rows:
        dates = " ".join(day.isoformat() for day, _name in row.bank_holidays)
        yield [
            row.team.name,
            row.member.name,
            row.days,
            f"{row.weeks:.2f}",
            row.weekend_days,
            f"{row.weekends:g}",
            len(row.bank_holidays),
            dates,
        ]
