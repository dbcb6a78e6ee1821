import logging
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from waitress import create_server

from oohdesk.env import read_raw
from oohdesk.paging.engine import Engine
from oohdesk.rota.models import Member, Team

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the web server and the paging engine in one process (the embedded setup)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
        parser.add_argument("--threads", type=int, default=8, help="Web server threads (default 8).")
        parser.add_argument("--demo", action="store_true", help="Set up the demo team and admin login on an empty desk.")
        parser.add_argument("--no-engine", action="store_true", help="Serve the web only; run `oohdesk engine` elsewhere.")

    def handle(self, *args, **options):
        host, port = options["host"], options["port"]
        if not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a TCP port; use 1 to 65535.")
        if not read_raw("OOHDESK_BASE_URL"):
            settings.OOHDESK_BASE_URL = f"http://{host}:{port}"
        # Listening comes first, so a port in use stops the command before any
        # set-up or welcome text suggests the desk is running.
        try:
            server = create_server(
                self._application(),
                host=host,
                port=port,
                threads=options["threads"],
                ident="oohdesk",
                # Waitress buffers a whole body before Django sees it, so it refuses one well over
                # Django's limit itself; a body just over that limit still gets Django's own answer.
                max_request_body_size=settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 64 * 1024,
            )
        except OSError as error:
            raise CommandError(
                f"Cannot listen on {host}:{port}: {error.strerror or error}. "
                "Another program, perhaps another oohdesk, is using it; stop that or choose another port with --port."
            ) from None
        password = self._demo() if options["demo"] else None
        engine = None if options["no_engine"] else self._start_engine()
        self._welcome(password, engine is not None)
        try:
            server.run()
        finally:
            if engine:
                engine.stop()

    def _application(self):
        from oohdesk.wsgi import application

        return application

    def _demo(self) -> str:
        from oohdesk.demo import demo_admin_password, load_demo

        if load_demo():
            self.stdout.write("Demo team, calendar and escalation policy set up.")
        return demo_admin_password()

    def _start_engine(self) -> Engine:
        engine = Engine()
        threading.Thread(target=engine.run, name="oohdesk-engine", daemon=True).start()
        return engine

    def _welcome(self, password: str | None, with_engine: bool) -> None:
        base = settings.OOHDESK_BASE_URL
        lines = [
            f"oohdesk is running at {base}/",
            f"  Issue Report form: {base}/report/",
            f"  Staff dashboard:   {base}/dashboard/",
        ]
        if password:
            lines.append(f"  Demo admin login:  user admin, password {password} (signed in as Chloe Davies, the team lead)")
            lines.append("  Demo developer logins: users alice and ben, with the same password")
        for member in Member.objects.filter(contact_methods__kind="demo_phone").distinct().order_by("name"):
            lines.append(f"  Demo phone of {member.name}: {base}/phone/{member.id}/")
        for team in Team.objects.all():
            member = team.on_call_at(timezone.now())
            lines.append(f"  On call now for {team.name}: {member.name if member else 'nobody'}")
        if not with_engine:
            lines.append("  The paging engine is not running here; start `oohdesk engine`.")
        lines.append("Press Ctrl+C to stop.")
        self.stdout.write("\n".join(lines))
