"""The misuse signal: an organisation whose urgent reports are often judged not genuine.

When more than ``OOHDESK_MISUSE_LIMIT`` of an organisation's urgent reports
received in the last ``OOHDESK_MISUSE_PERIOD_DAYS`` days are judged not
genuine, the support lead is notified once per period with a normal-priority
notice (which waits for their working hours), and the organisation's report
form shows the high-priority criteria first and highlighted. Its reports are
never blocked or delayed. Drill tickets never count.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from oohdesk.paging.notices import queue_notice
from oohdesk.rota.models import Member
from oohdesk.tickets.models import MisuseAlert, Ticket

logger = logging.getLogger(__name__)


def normalise(organisation: str) -> str:
    """Return the organisation name as compared: surrounding and repeated spaces removed."""
    return " ".join(organisation.split())


def _period() -> timedelta:
    return timedelta(days=settings.OOHDESK_MISUSE_PERIOD_DAYS)


def urgent_reports(organisation: str):
    """Return the organisation's urgent reports (by the customer's own answers), drills left out."""
    return Ticket.objects.filter(
        Q(site_down=True) | Q(affects_half=True),
        organisation__iexact=normalise(organisation),
        is_drill=False,
    )


def not_genuine_count(organisation: str, at: datetime) -> int:
    """Count the organisation's urgent reports received in the period up to ``at`` and judged not genuine."""
    since = at - _period()
    return urgent_reports(organisation).filter(genuine=False, received_at__gt=since, received_at__lte=at).count()


def is_flagged(organisation: str, at: datetime) -> bool:
    """Return whether the organisation is over the limit at ``at``; an empty name never is."""
    if not normalise(organisation):
        return False
    return not_genuine_count(organisation, at) > settings.OOHDESK_MISUSE_LIMIT


def support_leads(team=None) -> list[Member]:
    """Return who receives the support lead's notices: every admin or, with no admin, the team's lead (every lead without a team)."""
    admins = list(Member.objects.filter(is_admin=True))
    if admins:
        return admins
    if team is not None:
        return [team.lead] if team.lead else []
    return list(Member.objects.filter(teams_led__isnull=False).distinct())


def check_after_judgement(ticket: Ticket, at: datetime) -> MisuseAlert | None:
    """Tell the support lead if ``ticket``'s organisation has just gone over the limit; return the new alert.

    Call inside the transaction that stored the judgement. At most one alert
    is raised per organisation per period, however many reports follow.
    """
    if ticket.is_drill or ticket.genuine is not False:
        return None
    organisation = normalise(ticket.organisation)
    count = not_genuine_count(organisation, at)
    if count <= settings.OOHDESK_MISUSE_LIMIT:
        return None
    if MisuseAlert.objects.filter(organisation__iexact=organisation, raised_at__gt=at - _period()).exists():
        return None
    alert = MisuseAlert.objects.create(
        organisation=organisation,
        raised_at=at,
        not_genuine_count=count,
        limit=settings.OOHDESK_MISUSE_LIMIT,
        period_days=settings.OOHDESK_MISUSE_PERIOD_DAYS,
    )
    title = f"{organisation}: urgent reports often not genuine"
    body = (
        f"{count} urgent reports from {organisation} in the last {alert.period_days} days were judged "
        f"not genuine emergencies (the limit is {alert.limit}). The latest is {ticket.ref}.\n\n"
        "Their report form now shows the high-priority criteria more prominently. Their reports are "
        "still accepted and still page the on-call developer; consider talking to them about what "
        "counts as an emergency."
    )
    for lead in support_leads(ticket.team):
        queue_notice(lead, title, body, at)
    logger.info("misuse alert raised organisation_alert=%s ticket=%s count=%s", alert.id, ticket.ref, count)
    return alert
