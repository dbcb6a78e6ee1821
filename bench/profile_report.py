"""Profile one urgent report in a single process: its SQL statements and where its CPU time goes.

The benchmarks time the real processes, and this explains their figures. It
sets up the benchmark's desk on a fresh SQLite file or PostgreSQL database and
sends reports through Django's test client (no HTTP server). An engine loop
then sends their pages to a fake Pushover on 127.0.0.1. It prints the
statements of one report and of one engine loop, the CPU time of each side,
and the functions that take the most time under cProfile.

    .venv/bin/python bench/profile_report.py --database postgresql
"""

import argparse
import cProfile
import io
import os
import pstats
import tempfile
import time
from collections import Counter
from pathlib import Path

from harness import (
    APP_TOKEN,
    BENCH_ENV,
    CONFIG,
    DEFAULT_POSTGRESQL,
    VERIFY_SCRIPT,
    FakePushover,
    database,
    report_body,
    user_key,
)

REPORTS = 100


class Inline:
    """A stand-in for the engine's thread pool that runs each send at once, so one thread does all the work."""

    def submit(self, function, *args):
        function(*args)


def set_up(data_dir: str, database_url: str | None, pushover: FakePushover) -> None:
    os.environ.update({**BENCH_ENV, "OOHDESK_DATA_DIR": data_dir, "OOHDESK_PUSHOVER_API_URL": pushover.url})
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "oohdesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    keys = {name: user_key() for name in ("alice", "ben", "chloe")}
    pushover.users.update(keys.values())
    config_file = Path(data_dir) / "desk.yaml"
    config_file.write_text(CONFIG % {"timeout": "1h", **keys})
    call_command("config", "apply", str(config_file), stdout=io.StringIO())
    exec(VERIFY_SCRIPT)


def statements(run) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return [query["sql"] for query in captured.captured_queries]


def print_statements(title: str, sql: list[str]) -> None:
    print(f"== {title}: {len(sql)} statements")
    for text, count in Counter(" ".join(text.split()[:4])[:90] for text in sql).most_common():
        print(f"  {count:3} × {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", default=DEFAULT_POSTGRESQL, help="PostgreSQL server to create the profiling database on.")
    options = parser.parse_args()

    with FakePushover(APP_TOKEN) as pushover, database(options.database, options.database_url) as url, tempfile.TemporaryDirectory() as data_dir:
        set_up(data_dir, url, pushover)
        from django.test import Client
        from oohdesk.paging.engine import Engine

        client = Client(HTTP_HOST="127.0.0.1")
        engine = Engine()

        def report(number: int, label: str) -> None:
            response = client.post("/api/v1/tickets", report_body(number, label), content_type="application/json")
            assert response.status_code == 201, response.content

        def drain() -> None:
            sent = len(pushover.messages)
            for _ in range(1000):
                engine.tick(Inline())
                if len(pushover.messages) == sent:
                    return
                sent = len(pushover.messages)

        for number in range(20):
            report(number, "warm")
        drain()
        print_statements("one report through the API", statements(lambda: report(0, "one")))
        print_statements("the engine loop that sends its page", statements(lambda: engine.tick(Inline())))
        print_statements("an idle engine loop", statements(lambda: engine.tick(Inline())))

        started = time.process_time()
        for number in range(REPORTS):
            report(number, "cpu")
        web = (time.process_time() - started) * 1000 / REPORTS
        started = time.process_time()
        drain()
        # The fake Pushover's threads share this process, so the engine's figure includes them.
        sending = (time.process_time() - started) * 1000 / REPORTS
        print(f"== CPU per report in one process: {web:.1f} ms to accept it, {sending:.1f} ms to send its page")

        profiler = cProfile.Profile()
        profiler.enable()
        for number in range(REPORTS):
            report(number, "profile")
        drain()
        profiler.disable()
        output = io.StringIO()
        stats = pstats.Stats(profiler, stream=output)
        stats.sort_stats("cumulative").print_stats(r"oohdesk/(?!.*bench)", 25)
        stats.sort_stats("tottime").print_stats(15)
        print(f"== cProfile of {REPORTS} reports and their pages")
        print(output.getvalue())


if __name__ == "__main__":
    main()
