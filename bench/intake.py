"""Intake: the highest sustained rate of API reports with a 99th-percentile response under 200 ms.

Urgent reports go to POST /api/v1/tickets at rising steady rates, each step
for a fixed time on the same desk, with the engines paging as in production.
The highest step whose 99th percentile stays under 200 ms, with every report
accepted, is the desk's sustained rate. The floor is the same search against
a bare waitress app that answers at once.

    .venv/bin/python bench/intake.py --database postgresql --engines 2
"""

import itertools
import uuid

from harness import (
    CpuMeter,
    bench_desk,
    floor_server,
    open_loop,
    parser_for,
    print_figures,
    print_machine,
    report_body,
    setup_name,
    summary_ms,
)

TARGET_RATE = 200
MAX_P99_MS = 200


def climb(base_url: str, path: str, rates: list[float], seconds: float, body_for, meter: CpuMeter | None = None) -> list[dict]:
    """Run each rate in turn until one fails the 99th-percentile limit or loses a request."""
    steps = []
    for rate in rates:
        if meter:
            meter.start()
        sent = open_loop(base_url, path, rate, seconds, body_for)
        step = {"rate": rate, "response": summary_ms([item.latency for item in sent]),
                "failed": sum(item.status not in (200, 201) for item in sent)}
        if meter:
            step["cpu_ms_per_report"] = {name: round(used * 1000 / len(sent), 1) for name, used in meter.stop().items()}
        step["sustained"] = step["response"]["p99_ms"] < MAX_P99_MS and not step["failed"]
        steps.append(step)
        print(f"  {rate:g}/s: p99 {step['response']['p99_ms']} ms, {step['failed']} failed", flush=True)
        if not step["sustained"]:
            break
    return steps


def best(steps: list[dict]) -> float:
    return max((step["rate"] for step in steps if step["sustained"]), default=0)


def main() -> None:
    parser = parser_for(__doc__.splitlines()[0], database="postgresql", engines=2)
    parser.add_argument(
        "--rates", type=float, nargs="+", default=[5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300],
        help="Reports a second to climb through, stopping at the first that fails (default %(default)s).",
    )
    parser.add_argument(
        "--floor-rates", type=float, nargs="+", default=[100, 200, 400, 600, 800, 1000, 1200, 1500],
        help="Requests a second to climb through against the bare waitress app (default %(default)s).",
    )
    parser.add_argument("--seconds", type=float, default=20, help="How long each rate runs (default 20).")
    options = parser.parse_args()

    print_machine(options)

    print("floor: bare waitress app", flush=True)
    with floor_server() as (_process, base_url):
        floor_steps = climb(base_url, "/", options.floor_rates, min(options.seconds, 10), lambda number: {"number": number})

    print("oohdesk", flush=True)
    label = uuid.uuid4().hex[:6]
    # Numbered across all steps, so no report is a duplicate of an earlier step's.
    numbers = itertools.count()
    with bench_desk(options.database, options.database_url) as desk:
        desk.start(options.engines)
        steps = climb(desk.base_url, "/api/v1/tickets", options.rates, options.seconds,
                      lambda _number: report_body(next(numbers), label), CpuMeter(desk))
    sustained, floor = best(steps), best(floor_steps)
    setup = setup_name(options)
    print_figures(f"intake ({setup})", {
        "steps": steps,
        "sustained_reports_per_second": sustained,
        "floor_steps": floor_steps,
        "floor_requests_per_second": floor,
        "floor_over_oohdesk": f"{floor / sustained:.1f}×" if sustained else "n/a",
        "target_reports_per_second": TARGET_RATE,
        "target_met": sustained >= TARGET_RATE,
    })


if __name__ == "__main__":
    main()
