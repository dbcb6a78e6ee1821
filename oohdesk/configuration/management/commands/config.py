import json
import sys

from django.core.management.base import BaseCommand, CommandError

from oohdesk.configuration.apply import apply_config
from oohdesk.configuration.export import export_config
from oohdesk.configuration.loader import dump_document, load_document
from oohdesk.configuration.reader import ConfigError

# The exit status for a file that cannot be read or is invalid.
INVALID_FILE_STATUS = 2


class Command(BaseCommand):
    help = "Apply a YAML configuration file of calendars, escalation policies, members and teams, or export one."

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Intermixed parsing lets options come before or after FILE, as in
        # "apply --json FILE", which plain parsing rejects after an optional positional.
        parser.parse_args = parser.parse_intermixed_args
        return parser

    def add_arguments(self, parser):
        # A positional action rather than argparse subparsers, so that Django's
        # own options such as --settings may also follow FILE.
        parser.add_argument(
            "action",
            choices=["apply", "export"],
            help="apply: store the calendars, policies, members and teams in FILE and print each change. "
            "export: print the stored configuration as YAML in the same format.",
        )
        parser.add_argument("file", nargs="?", metavar="FILE", help="For apply: the YAML file, or - to read standard input.")
        parser.add_argument("--json", action="store_true", help='For apply: print one JSON object, {"changes": [...]}.')

    def handle(self, *args, **options):
        if options["action"] == "export":
            if options["file"] or options["json"]:
                raise CommandError("export takes no FILE and no --json; redirect its output to a file instead.")
            self.stdout.write(dump_document(export_config()), ending="")
            return
        if not options["file"]:
            raise CommandError("apply needs a FILE: the path of the YAML file, or - to read standard input.")
        self._apply(options["file"], options["json"])

    def _apply(self, path: str, as_json: bool) -> None:
        try:
            changes = apply_config(load_document(self._read(path)))
        except ConfigError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            if as_json:
                self.stdout.write(json.dumps({"errors": error.problems}))
            count = len(error.problems)
            raise CommandError(
                f"{path} is invalid ({count} {'error' if count == 1 else 'errors'}); nothing was changed.",
                returncode=INVALID_FILE_STATUS,
            ) from error
        if as_json:
            self.stdout.write(json.dumps({"changes": changes}))
        else:
            self.stdout.write("\n".join(changes) if changes else "No changes.")

    def _read(self, path: str) -> str:
        if path == "-":
            return sys.stdin.read()
        try:
            with open(path, encoding="utf-8") as file:
                return file.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}", returncode=INVALID_FILE_STATUS) from error
