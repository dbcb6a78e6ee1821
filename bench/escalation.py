"""Escalation timing: how late each escalation reaches the next person after its page's due time.

Urgent reports open 1,000 pages at a steady rate, so their acknowledgement
timeouts fall due staggered over the same span; nobody acknowledges. For each
page, the due time is read from the database before it falls due, and the
escalation is timed twice: when the engine decided it (the page's event) and
when the next person's page reached the fake Pushover. The floor is how late
a bare Python thread wakes from a timed wait on this machine.

    .venv/bin/python bench/escalation.py --database sqlite
    .venv/bin/python bench/escalation.py --database postgresql --engines 2
"""

import json
import threading
import time
import uuid

from harness import (
    bench_desk,
    open_loop,
    parser_for,
    print_figures,
    print_machine,
    report_body,
    setup_name,
    summary_ms,
)

TARGET_P99_MS = 1000

# Prints, for every page, its step's due time and when the engine moved it to step 2.
DUE_SCRIPT = """
import json
from oohdesk.paging.models import Page, PageEvent
print(json.dumps({page.ticket.ref: page.step_due_at.timestamp() for page in Page.objects.select_related("ticket") if page.step_due_at}))
"""
ESCALATED_SCRIPT = """
import json
from oohdesk.paging.models import PageEvent
started = {}
for event in PageEvent.objects.filter(kind=PageEvent.Kind.STEP_STARTED).select_related("page__ticket").order_by("at"):
    started.setdefault(event.page.ticket.ref, []).append(event.at.timestamp())
print(json.dumps(started))
"""


def floor(count: int = 1000, spread: float = 10.0) -> dict:
    """Lateness of ``count`` timed waits on one thread each, due over ``spread`` seconds."""
    lateness = []
    lock = threading.Lock()
    start = time.time() + 1

    def wait(due: float) -> None:
        threading.Event().wait(due - time.time())
        woke = time.time()
        with lock:
            lateness.append(woke - due)

    threads = [threading.Thread(target=wait, args=(start + spread * number / count,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summary_ms(lateness)


def main() -> None:
    parser = parser_for(__doc__.splitlines()[0], database="sqlite", engines=0)
    parser.add_argument("--pages", type=int, default=1000, help="Pages to open and leave unacknowledged (default 1000).")
    parser.add_argument("--rate", type=float, default=10, help="Reports a second while opening the pages (default 10).")
    options = parser.parse_args()

    print_machine(options)

    opening = options.pages / options.rate
    # Every page is open before the first falls due, so the due times are read in one go.
    timeout = int(opening + 30)
    label = uuid.uuid4().hex[:6]
    with bench_desk(options.database, options.database_url, ack_timeout=f"{timeout}s") as desk:
        desk.start(options.engines)
        sent = open_loop(desk.base_url, "/api/v1/tickets", options.rate, opening, lambda number: report_body(number, label))
        due = json.loads(desk.shell(DUE_SCRIPT))
        last_due = max(due.values())
        deadline = time.time() + max(last_due - time.time(), 0) + 60
        while time.time() < deadline:
            pages = desk.pages()
            if sum(len(pages.get(ref, [])) >= 2 for ref in due) == len(due):
                break
            time.sleep(1)
        started = json.loads(desk.shell(ESCALATED_SCRIPT))

    decided = [started[ref][1] - due_at for ref, due_at in due.items() if len(started.get(ref, [])) >= 2]
    delivered = [pages[ref][1].wall - due_at for ref, due_at in due.items() if len(pages.get(ref, [])) >= 2]
    bare = floor()
    figures = {
        "pages": len(sent),
        "reports_not_accepted": sum(item.status != 201 for item in sent),
        "pages_with_due_time": len(due),
        "escalations_missing": len(due) - len(delivered),
        "escalated_early": sum(late < 0 for late in decided) + sum(late < 0 for late in delivered),
        "lateness_engine_decision": summary_ms(decided),
        "lateness_at_provider": summary_ms(delivered),
        "floor_timed_wait": bare,
        "p99_over_floor": f"{summary_ms(delivered)['p99_ms'] / bare['p99_ms']:.0f}×" if delivered and bare["p99_ms"] else "n/a",
        "target_p99_ms": TARGET_P99_MS,
    }
    figures["target_met"] = bool(delivered) and figures["lateness_at_provider"]["p99_ms"] < TARGET_P99_MS and not figures["escalated_early"] and not figures["escalations_missing"]
    setup = setup_name(options)
    print_figures(f"escalation timing of {len(due)} pages ({setup})", figures)


if __name__ == "__main__":
    main()
