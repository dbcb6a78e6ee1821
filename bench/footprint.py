"""Footprint: resident memory of the web and engine processes, and the engine's CPU while idle.

The desk takes 200 urgent reports first, so its caches and connections are
warm, then sits idle; memory is read from /proc after the reports and the
engine's CPU time is counted over the idle minute. The floors are a bare
Python interpreter, the bare waitress app, and a bare Python loop waking at
the engine's poll interval.

    .venv/bin/python bench/footprint.py --database sqlite
    .venv/bin/python bench/footprint.py --database postgresql --engines 1
"""

import argparse
import subprocess
import sys
import time
import uuid

from harness import (
    BENCH_ENV,
    DEFAULT_POSTGRESQL,
    bench_desk,
    cpu_seconds,
    floor_server,
    machine,
    open_loop,
    postgresql_version,
    print_figures,
    report_body,
    resident_kib,
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", default=DEFAULT_POSTGRESQL, help="PostgreSQL server to create the benchmark database on.")
    parser.add_argument("--engines", type=int, default=0, help="Separate engine processes; 0 runs the engine inside `oohdesk serve`.")
    parser.add_argument("--idle-seconds", type=float, default=60)
    options = parser.parse_args()

    about = machine()
    if options.database == "postgresql":
        about["postgresql"] = postgresql_version(options.database_url)
    print_figures("machine", about)

    label = uuid.uuid4().hex[:6]
    with bench_desk(options.database, options.database_url) as desk:
        desk.start(options.engines)
        started = {"web_mib": mib(resident_kib(desk.web.pid))}
        if desk.engines:
            started["engine_mib"] = mib(resident_kib(desk.engines[0].pid))
        open_loop(desk.base_url, "/api/v1/tickets", 10, 20, lambda number: report_body(number, label))
        time.sleep(5)
        figures = {"at_start": started, "after_200_reports": {"web_mib": mib(resident_kib(desk.web.pid))}}
        engine = desk.engines[0] if desk.engines else desk.web
        if desk.engines:
            figures["after_200_reports"]["engine_mib"] = mib(resident_kib(engine.pid))
        key = "engine_idle_cpu_ms_per_minute" if desk.engines else "serve_with_engine_idle_cpu_ms_per_minute"
        figures[key] = idle_cpu_ms_per_minute(engine.pid, options.idle_seconds)
    figures["floor"] = floors(min(options.idle_seconds, 30))
    figures["idle_cpu_share_of_one_core"] = f"{figures[key] / 60000:.2%}"
    setup = f"{options.database}, " + (f"{options.engines} engine process" if options.engines else "engine inside serve")
    print_figures(f"footprint ({setup})", figures)


if __name__ == "__main__":
    main()
