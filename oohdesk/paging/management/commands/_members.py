"""Finding a member named on the command line."""

from django.core.management.base import CommandError

from oohdesk.rota.models import Member


def find_member(name_or_email: str) -> Member:
    """Return the member with this email, or the only member with this name (in any case)."""
    member = Member.objects.filter(email__iexact=name_or_email).first()
    if member:
        return member
    matches = list(Member.objects.filter(name__iexact=name_or_email))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CommandError(f"{len(matches)} members are called {name_or_email!r}; give the email address instead.")
    raise CommandError(f"No member with the email or name {name_or_email!r}; `oohdesk config export` lists them.")
