"""Severity from the two Yes/No answers, and what happens to a report next.

| site down or key function failing | 50% or more of users | priority |
| yes | yes | P1 |
| one yes | | P2 |
| no | no | P3 |

P1 and P2 page the on-call developer at any hour, working hours included. P3
never pages; raised out of hours it is held until working hours next begin.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import models

from oohdesk.hours.calendar import WorkingHours


class Priority(models.TextChoices):
    P1 = "P1", "P1, Critical"
    P2 = "P2", "P2, High"
    P3 = "P3", "P3, Normal"


URGENT = {Priority.P1, Priority.P2}


def priority_for(site_down: bool, affects_half: bool) -> Priority:
    """Map the two answers to a priority (see the table above)."""
    if site_down and affects_half:
        return Priority.P1
    if site_down or affects_half:
        return Priority.P2
    return Priority.P3


@dataclass(frozen=True)
class Decision:
    priority: Priority
    pages: bool
    out_of_hours: bool
    release_at: datetime | None


def decide(priority: Priority, hours: WorkingHours, at: datetime) -> Decision:
    """Decide whether a report received at ``at`` pages now or waits, and until when."""
    out_of_hours = not hours.is_open(at)
    pages = priority in URGENT
    release_at = hours.next_opening(at) if (out_of_hours and not pages) else None
    return Decision(priority=priority, pages=pages, out_of_hours=out_of_hours, release_at=release_at)
