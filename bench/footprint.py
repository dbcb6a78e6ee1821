"""Footprint: resident memory of the web and engine processes, and the engine's CPU while idle.

The engine's CPU time is counted over an idle minute with nothing open. It is
counted again over a minute with 200 unacknowledged pages open, after 200
urgent reports. Memory is read from /proc at the start and after the reports. The floors are a bare
Python interpreter, the bare waitress app, and a bare Python loop waking at
the engine's poll interval.

    .venv/bin/python bench/footprint.py --database sqlite
    .venv/bin/python bench/footprint.py --database postgresql --engines 1
"""

import subprocess
import sys
import time
import uuid

from harness import (
    BENCH_ENV,
    bench_desk,
    cpu_seconds,
    floor_server,
    open_loop,
    parser_for,
    print_figures,
    print_machine,
    report_body,
    resident_kib,
    setup_name,
)

IDLE_LOOP = "import threading, sys\nevent = threading.Event()\nwhile True:\n    event.wait(float(sys.argv[1]))\n"


def mib(kib: int) -> float:
    return round(kib / 1024, 1)


def idle_cpu_ms_per_minute(pid: int, seconds: float) -> float:
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return round((cpu_seconds(pid) - before) * 1000 * 60 / seconds, 1)


def floors(seconds: float) -> dict:
    poll = float(BENCH_ENV["OOHDESK_ENGINE_POLL_SECONDS"])
    bare = subprocess.Popen([sys.executable, "-c", IDLE_LOOP, str(poll)])
    try:
        time.sleep(1)
        figures = {"bare_python_mib": mib(resident_kib(bare.pid)),
                   "bare_loop_cpu_ms_per_minute": idle_cpu_ms_per_minute(bare.pid, seconds)}
    finally:
        bare.kill()
        bare.wait()
    with floor_server() as (process, _base_url):
        figures["bare_waitress_mib"] = mib(resident_kib(process.pid))
    return figures


def main() -> None:
    parser = parser_for(__doc__.splitlines()[0], database="sqlite", engines=0)
    parser.add_argument(
        "--idle-seconds", type=float, default=60, help="How long each CPU measurement lasts (default 60)."
    )
    options = parser.parse_args()

    print_machine(options)

    label = uuid.uuid4().hex[:6]
    with bench_desk(options.database, options.database_url) as desk:
        desk.start(options.engines)
        engine = desk.engines[0] if desk.engines else desk.web
        started = {"web_mib": mib(resident_kib(desk.web.pid))}
        if desk.engines:
            started["engine_mib"] = mib(resident_kib(engine.pid))
        figures = {"at_start": started}
        # Idle means nothing open: the engine only looks for due work at each poll.
        idle_key = "engine_idle_cpu_ms_per_minute" if desk.engines else "serve_with_engine_idle_cpu_ms_per_minute"
        figures[idle_key] = idle_cpu_ms_per_minute(engine.pid, options.idle_seconds)
        open_loop(desk.base_url, "/api/v1/tickets", 10, 20, lambda number: report_body(number, label))
        time.sleep(5)
        after = {"web_mib": mib(resident_kib(desk.web.pid))}
        if desk.engines:
            after["engine_mib"] = mib(resident_kib(engine.pid))
        figures["after_200_reports"] = after
        # With the 200 pages left open, the engine also polls each Pushover receipt every 30 s.
        figures["cpu_ms_per_minute_with_200_open_pages"] = idle_cpu_ms_per_minute(engine.pid, options.idle_seconds)
    figures["floor"] = floors(min(options.idle_seconds, 30))
    figures["idle_cpu_share_of_one_core"] = f"{figures[idle_key] / 60000:.2%}"
    setup = setup_name(options)
    print_figures(f"footprint ({setup})", figures)


if __name__ == "__main__":
    main()
