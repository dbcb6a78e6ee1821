"""Which of a member's contact methods a page uses, in which order, after which delays."""

from dataclasses import dataclass

from oohdesk.paging.models import ContactMethod
from oohdesk.rota.models import Member

# Test pages follow the rules of the most urgent priority, the one that must get through.
TEST_PAGE_PRIORITY = "P1"


@dataclass(frozen=True)
class PlannedSend:
    method: ContactMethod
    delay_seconds: int


def planned_sends(member: Member, priority: str) -> list[PlannedSend]:
    """Return the usable methods a page of ``priority`` reaches ``member`` through, in order.

    The member's rules for the priority decide; a member with none is notified
    on every contact method after each method's own delay. Unverified and
    broken methods are left out, and when the first methods are left out the
    rest move earlier, so the first usable one goes at once as failover would.
    """
    rules = list(member.notification_rules.filter(priority=priority).select_related("contact_method").order_by("position"))
    if rules:
        planned = [PlannedSend(rule.contact_method, rule.delay_seconds) for rule in rules]
    else:
        planned = [PlannedSend(method, method.delay_seconds) for method in member.contact_methods.order_by("position", "id")]
    usable = [send for send in planned if send.method.is_usable]
    if not usable or usable[0] is planned[0]:
        return usable
    shift = usable[0].delay_seconds
    return [PlannedSend(send.method, max(0, send.delay_seconds - shift)) for send in usable]


def unusable_methods(member: Member) -> list[ContactMethod]:
    return [method for method in member.contact_methods.all() if not method.is_usable]
