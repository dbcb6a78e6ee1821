"""Report to page: from a report's HTTP request to the first request arriving at the fake Pushover.

Urgent reports go to POST /api/v1/tickets at a steady rate for a fixed time,
each at its scheduled moment. The fake Pushover on 127.0.0.1 records when the
on-call developer's page reaches it. Each rate runs on a desk of its own.
The floor is a bare waitress app that makes one POST to the same fake
before answering: the least two loopback hops take on this machine.

    .venv/bin/python bench/report_to_page.py --database sqlite
    .venv/bin/python bench/report_to_page.py --database postgresql --engines 2
"""

import time
import uuid
from collections import Counter

from harness import (
    CpuMeter,
    FakePushover,
    bench_desk,
    floor_server,
    open_loop,
    parser_for,
    print_figures,
    print_machine,
    ratio,
    report_body,
    setup_name,
    summary_ms,
)

TARGET_P99_MS = 250
# How long to wait, after the last report, for its page to arrive.
SETTLE_SECONDS = 60


def floor(rate: float, seconds: float) -> dict:
    with FakePushover("floor") as provider, floor_server(forward_to=provider.url) as (_process, base_url):
        sent = open_loop(base_url, "/", rate, seconds, lambda number: {"number": number})
        arrivals = sorted(request.arrived_at for request in provider.requests)
    # The bare app posts before it responds, one post per request, in order of arrival.
    scheduled = sorted(item.scheduled for item in sent)
    return summary_ms([arrived - start for arrived, start in zip(arrivals, scheduled)])


def run(kind: str, admin_url: str, engines: int, rate: float, seconds: float) -> dict:
    label = uuid.uuid4().hex[:6]
    with bench_desk(kind, admin_url) as desk:
        desk.start(engines)
        meter = CpuMeter(desk)
        meter.start()
        sent = open_loop(desk.base_url, "/api/v1/tickets", rate, seconds, lambda number: report_body(number, label))
        accepted = {item.reference: item for item in sent if item.reference}
        deadline = time.monotonic() + SETTLE_SECONDS
        pages = desk.pages()
        while len(pages) < len(accepted) and time.monotonic() < deadline:
            time.sleep(0.5)
            pages = desk.pages()
        used = meter.stop()
    to_page = [pages[ref][0].monotonic - item.scheduled for ref, item in accepted.items() if ref in pages]
    return {
        "reports_sent": len(sent),
        "reports_not_accepted": len(sent) - len(accepted),
        # 0 stands for no response within the load generator's 30 s timeout.
        "responses_by_status": dict(sorted(Counter(item.status for item in sent).items())),
        "pages_missing": len(accepted) - len(to_page),
        "http_response": summary_ms([item.latency for item in sent]),
        "report_to_page": summary_ms(to_page),
        "cpu_ms_per_report": {name: round(seconds * 1000 / max(len(accepted), 1), 1) for name, seconds in used.items()},
    }


def main() -> None:
    parser = parser_for(__doc__.splitlines()[0], database="sqlite", engines=0)
    parser.add_argument("--rates", type=float, nargs="+", default=[10, 50], help="Reports a second (default 10 and 50).")
    parser.add_argument("--seconds", type=float, default=60, help="How long each rate runs (default 60).")
    options = parser.parse_args()

    print_machine(options)
    for rate in options.rates:
        bare = floor(rate, min(options.seconds, 20))
        figures = run(options.database, options.database_url, options.engines, rate, options.seconds)
        measured = figures["report_to_page"]
        if measured.get("count"):
            figures["floor_two_hops"] = bare
            figures["p99_over_floor"] = ratio(measured["p99_ms"], bare["p99_ms"])
            figures["median_over_floor"] = ratio(measured["median_ms"], bare["median_ms"])
            figures["target_p99_ms"] = TARGET_P99_MS
            figures["target_met"] = measured["p99_ms"] < TARGET_P99_MS and not figures["pages_missing"]
        setup = setup_name(options)
        print_figures(f"report to page at {rate:g}/s for {options.seconds:g} s ({setup})", figures)


if __name__ == "__main__":
    main()
