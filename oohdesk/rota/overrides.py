"""Overrides and swap requests: putting someone else on call for a period.

An override covers exactly its own period, so the shifts either side keep
their times, and the newest override wins where two overlap. A swap request
becomes overrides only when the other member accepts it: a cover is one
override (the other member takes the requester's period), a swap is two (each
takes the other's period). Every change is written to the rota's log and the
people concerned get a normal-priority notice.
"""

import logging
from datetime import datetime

from django.db import transaction

from oohdesk.rota.changes import log
from oohdesk.rota.models import Member, Override, Rota, SwapRequest
from oohdesk.rota.oncall import MAX_RANGE
from oohdesk.zones import format_local

logger = logging.getLogger(__name__)


class RotaError(ValueError):
    """A request the rota rejects; ``field`` names the input to correct."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def describe_period(start: datetime, end: datetime, zone) -> str:
    return f"from {format_local(start, zone)} to {format_local(end, zone)}"


def check_period(start: datetime, end: datetime, start_field: str, end_field: str) -> None:
    if start is None:
        raise RotaError(start_field, "Missing start time; give the date and time the period begins.")
    if end is None:
        raise RotaError(end_field, "Missing end time; give the date and time the period ends.")
    if end <= start:
        raise RotaError(end_field, "The end must be after the start.")
    if end - start > MAX_RANGE:
        raise RotaError(end_field, f"The period is longer than {MAX_RANGE.days} days; for a lasting change, change the rota's members instead.")


def _notify(member: Member, title: str, body: str, at: datetime) -> None:
    from oohdesk.paging.notices import queue_notice

    queue_notice(member, title, body, at)


def add_override(
    rota: Rota,
    member: Member,
    starts_at: datetime,
    ends_at: datetime,
    at: datetime,
    actor: str,
    note: str = "",
    user=None,
    swap: SwapRequest | None = None,
    notify: bool = True,
) -> Override:
    """Put ``member`` on call on ``rota`` for ``[starts_at, ends_at)``; raise RotaError for a bad period."""
    check_period(starts_at, ends_at, "starts_at", "ends_at")
    if len(note) > 200:
        raise RotaError("note", f"The note is {len(note)} characters long; use at most 200.")
    with transaction.atomic():
        override = Override.objects.create(
            rota=rota, member=member, starts_at=starts_at, ends_at=ends_at, note=note,
            created_at=at, created_by=user, swap=swap,
        )
        period = describe_period(starts_at, ends_at, rota.zone)
        log(rota, at, actor, f"Override added: {member.name} on call {period}" + (f" ({note})." if note else "."))
        if notify and ends_at > at:
            body = f"You are on call for {rota.owner.name} {describe_period(starts_at, ends_at, member.zone)}."
            if note:
                body += f" Note: {note}"
            _notify(member, f"Override: you are on call for {rota.owner.name}", body, at)
    logger.info("override added rota=%s override=%s member=%s", rota.id, override.id, member.id)
    return override


def remove_override(override: Override, at: datetime, actor: str, notify: bool = True) -> None:
    rota, member = override.rota, override.member
    with transaction.atomic():
        period = describe_period(override.starts_at, override.ends_at, rota.zone)
        override.delete()
        log(rota, at, actor, f"Override removed: {member.name} on call {period}.")
        if notify and override.ends_at > at:
            body = f"You are no longer on call for {rota.owner.name} {describe_period(override.starts_at, override.ends_at, member.zone)}."
            _notify(member, f"Override removed for {rota.owner.name}", body, at)
    logger.info("override removed rota=%s member=%s", rota.id, member.id)


def _on_call_throughout(rota: Rota, member: Member, start: datetime, end: datetime) -> bool:
    segments = rota.segments(start, end)
    covered = start
    for segment in segments:
        if segment.start != covered or segment.member != member:
            return False
        covered = segment.end
    return covered == end


def _check_swap(
    rota: Rota, requester: Member, counterpart: Member, give: tuple, take: tuple | None, at: datetime
) -> None:
    check_period(*give, "give_starts_at", "give_ends_at")
    if give[1] <= at:
        raise RotaError("give_ends_at", "This period is over; choose one that has not ended yet.")
    if counterpart == requester:
        raise RotaError("counterpart", "Choose another member: you cannot swap with yourself.")
    if counterpart not in rota.current_members():
        raise RotaError("counterpart", f"{counterpart.name} is not on the {rota}; choose one of its members.")
    if not _on_call_throughout(rota, requester, *give):
        raise RotaError(
            "give_starts_at",
            f"{requester.name} is not on call for the whole of that period; choose a period inside their own shift.",
        )
    if take is None:
        return
    check_period(*take, "take_starts_at", "take_ends_at")
    if take[1] <= at:
        raise RotaError("take_ends_at", "This period is over; choose one that has not ended yet.")
    if take[0] < give[1] and give[0] < take[1]:
        raise RotaError("take_starts_at", "The two periods overlap; choose a period of the other member's that does not.")
    if not _on_call_throughout(rota, counterpart, *take):
        raise RotaError(
            "take_starts_at",
            f"{counterpart.name} is not on call for the whole of that period; choose a period inside their own shift.",
        )


def request_swap(
    rota: Rota,
    requester: Member,
    counterpart: Member,
    give: tuple[datetime, datetime],
    at: datetime,
    take: tuple[datetime, datetime] | None = None,
    note: str = "",
) -> SwapRequest:
    """Ask ``counterpart`` to cover ``give`` (or, with ``take``, to trade it for their own ``take``)."""
    _check_swap(rota, requester, counterpart, give, take, at)
    if len(note) > 200:
        raise RotaError("note", f"The note is {len(note)} characters long; use at most 200.")
    kind = SwapRequest.Kind.SWAP if take else SwapRequest.Kind.COVER
    with transaction.atomic():
        swap = SwapRequest.objects.create(
            rota=rota, kind=kind, requester=requester, counterpart=counterpart,
            give_starts_at=give[0], give_ends_at=give[1],
            take_starts_at=take[0] if take else None, take_ends_at=take[1] if take else None,
            note=note, created_at=at,
        )
        log(rota, at, requester.name, f"Requested: {describe_swap(swap, rota.zone)}")
        _notify(
            counterpart,
            f"{requester.name} asks you to {'swap shifts' if take else 'cover'}",
            f"{describe_swap(swap, counterpart.zone)} Accept or decline it on the swaps page of oohdesk.",
            at,
        )
    logger.info("swap requested swap=%s rota=%s", swap.id, rota.id)
    return swap


def describe_swap(swap: SwapRequest, zone) -> str:
    """Describe a request in words, with its times in ``zone``."""
    give = describe_period(swap.give_starts_at, swap.give_ends_at, zone)
    if swap.kind == SwapRequest.Kind.COVER:
        text = f"{swap.requester.name} asks {swap.counterpart.name} to cover {give}."
    else:
        take = describe_period(swap.take_starts_at, swap.take_ends_at, zone)
        text = f"{swap.requester.name} offers {swap.counterpart.name} a swap: {swap.counterpart.name} covers {give}, and {swap.requester.name} covers {take}."
    if swap.note:
        text += f" Note: {swap.note}"
    return text


def _decide(swap_id: int, at: datetime, status: str, user) -> SwapRequest:
    swap = SwapRequest.objects.select_for_update().select_related("rota", "requester", "counterpart").get(pk=swap_id)
    if swap.status != SwapRequest.Status.PENDING:
        raise RotaError("status", f"This request was already {swap.get_status_display().lower()}.")
    swap.status = status
    swap.decided_at = at
    swap.decided_by = user
    swap.save(update_fields=["status", "decided_at", "decided_by"])
    return swap


def accept_swap(swap: SwapRequest, at: datetime, actor: str, user=None) -> SwapRequest:
    """Accept a pending request and create its overrides; raise RotaError if the shifts no longer fit."""
    with transaction.atomic():
        swap = _decide(swap.id, at, SwapRequest.Status.ACCEPTED, user)
        rota = swap.rota
        take = (swap.take_starts_at, swap.take_ends_at) if swap.kind == SwapRequest.Kind.SWAP else None
        _check_swap(rota, swap.requester, swap.counterpart, (swap.give_starts_at, swap.give_ends_at), take, at)
        note = f"{swap.get_kind_display()} with {swap.requester.name}"
        add_override(rota, swap.counterpart, swap.give_starts_at, swap.give_ends_at, at, actor, note, user, swap, notify=False)
        if take:
            note = f"Swap with {swap.counterpart.name}"
            add_override(rota, swap.requester, *take, at, actor, note, user, swap, notify=False)
        log(rota, at, actor, f"{describe_swap(swap, rota.zone)} Accepted.")
        _notify(swap.requester, f"{swap.counterpart.name} accepted your request", describe_swap(swap, swap.requester.zone), at)
        lead = rota.owner.lead
        if lead is not None and lead not in (swap.requester, swap.counterpart):
            _notify(lead, f"Rota change for {rota.owner.name}", f"{describe_swap(swap, lead.zone)} Accepted.", at)
    logger.info("swap accepted swap=%s rota=%s", swap.id, swap.rota_id)
    return swap


def _close_swap(swap: SwapRequest, at: datetime, actor: str, user, status: str) -> SwapRequest:
    """Decline or cancel a pending request, and tell the other member."""
    with transaction.atomic():
        swap = _decide(swap.id, at, status, user)
        log(swap.rota, at, actor, f"{describe_swap(swap, swap.rota.zone)} {swap.get_status_display()}.")
        if status == SwapRequest.Status.DECLINED:
            told, title = swap.requester, f"{swap.counterpart.name} declined your request"
        else:
            told, title = swap.counterpart, f"{swap.requester.name} cancelled a request"
        _notify(told, title, describe_swap(swap, told.zone), at)
    return swap


def decline_swap(swap: SwapRequest, at: datetime, actor: str, user=None) -> SwapRequest:
    return _close_swap(swap, at, actor, user, SwapRequest.Status.DECLINED)


def cancel_swap(swap: SwapRequest, at: datetime, actor: str, user=None) -> SwapRequest:
    return _close_swap(swap, at, actor, user, SwapRequest.Status.CANCELLED)
