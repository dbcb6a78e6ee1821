from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from oohdesk.paging.management.commands._members import find_member
from oohdesk.paging.verification import VerificationError, check_code, send_code


class Command(BaseCommand):
    help = (
        "Verify a member's contact method: without --code, send a code to it; "
        "with --code, check the code the member received."
    )

    def add_arguments(self, parser):
        parser.add_argument("member", help="the member's email address or full name")
        parser.add_argument("kind", help="the contact method's kind, such as pushover, voice, sms or ntfy")
        parser.add_argument("--address", help="the method's address, when the member has several of this kind")
        parser.add_argument("--code", help="the code the member received")

    def handle(self, *args, **options):
        member = find_member(options["member"])
        methods = member.contact_methods.filter(kind=options["kind"])
        if options["address"]:
            methods = methods.filter(address=options["address"])
        found = list(methods)
        if not found:
            raise CommandError(f"{member.name} has no {options['kind']} contact method with that address.")
        if len(found) > 1:
            raise CommandError(f"{member.name} has {len(found)} {options['kind']} methods; choose one with --address.")
        method = found[0]
        try:
            if options["code"]:
                check_code(method, options["code"], timezone.now())
                self.stdout.write(f"{method.kind} {method.masked_address} of {member.name} is verified.")
            else:
                send_code(method, timezone.now())
                self.stdout.write(f"Code sent to {method.kind} {method.masked_address}; run again with --code CODE.")
        except VerificationError as error:
            raise CommandError(str(error)) from None
