"""The ``oohdesk`` console script: Django's management commands with the schema kept up to date."""

import os
import sys

# Commands that must not touch the schema first: they inspect or create migrations, or need no database.
NO_AUTO_MIGRATE = {
    "help", "--help", "-h", "version", "--version", "makemigrations", "migrate",
    "sqlmigrate", "showmigrations", "squashmigrations", "check", "collectstatic",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oohdesk.settings")

    import django
    from django.core.management import call_command, execute_from_command_line

    django.setup()
    if argv and argv[0] not in NO_AUTO_MIGRATE:
        call_command("migrate", interactive=False, verbosity=0)
    execute_from_command_line(["oohdesk", *argv])


if __name__ == "__main__":
    main()
