from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from oohdesk.api.models import ApiToken

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length


class Command(BaseCommand):
    help = "Create an API token for a user and print its secret, which is shown only this once."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user the token acts as; the staff API calls need an active staff user.")
        parser.add_argument(
            "--name",
            default="API token",
            help=f"A label to tell the token apart from the user's others (at most {NAME_MAX_LENGTH} characters).",
        )

    def handle(self, *args, username: str, name: str, **options):
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"No user named {username!r}; create the user first, for example with createsuperuser.") from None
        name = name.strip()
        if not name or len(name) > NAME_MAX_LENGTH:
            raise CommandError(f"--name must be 1 to {NAME_MAX_LENGTH} characters long.")

        token, secret = ApiToken.issue(user, name)
        if not (user.is_active and user.is_staff):
            self.stderr.write(
                f"Warning: {username} is inactive or not staff, so this token gets 403 on the staff API calls "
                "until an admin changes that."
            )
        self.stdout.write(f"Created token {token.name!r} (id {token.pk}) for {username}:")
        self.stdout.write(secret)
        self.stdout.write("Store it now: only its hash is kept, so it cannot be shown again.")
