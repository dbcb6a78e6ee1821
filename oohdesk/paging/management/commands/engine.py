import signal

from django.core.management.base import BaseCommand

from oohdesk.paging.engine import Engine


class Command(BaseCommand):
    help = "Run the paging engine: escalate due pages and send due notifications until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, help="Concurrent sends (default OOHDESK_ENGINE_WORKERS).")

    def handle(self, *args, **options):
        engine = Engine(workers=options["workers"])
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: engine.stop())
        self.stdout.write("Paging engine running; stop it with Ctrl+C.")
        engine.run()
