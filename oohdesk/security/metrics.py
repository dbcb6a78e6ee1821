from django.db.models import Count

from oohdesk.operations.prometheus import Metric
from oohdesk.security.models import RejectedReport


def rejected_report_metrics() -> list[Metric]:
    rejected = Metric(
        "oohdesk_reports_rejected_total", "counter", "Reports refused by a rate limit or the spam guard, by reason and priority."
    )
    rows = RejectedReport.objects.values("reason", "priority").annotate(count=Count("id")).order_by("reason", "priority")
    for row in rows:
        rejected.add(row["count"], reason=row["reason"], priority=row["priority"])
    return [rejected]
