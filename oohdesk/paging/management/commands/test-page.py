from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from oohdesk.paging.management.commands._members import find_member
from oohdesk.paging.rules import TEST_PAGE_PRIORITY, planned_sends
from oohdesk.paging.testpages import NoUsableMethod, send_test_page


class Command(BaseCommand):
    help = (
        "Send MEMBER a test page through their P1 notification rules, clearly labelled as a test. "
        "A running engine sends it; the member confirms it from the notification."
    )

    def add_arguments(self, parser):
        parser.add_argument("member", help="the member's email address or full name")

    def handle(self, *args, **options):
        member = find_member(options["member"])
        try:
            test_page = send_test_page(member, timezone.now())
        except NoUsableMethod as error:
            raise CommandError(str(error)) from None
        methods = ", ".join(f"{send.method.kind} after {send.delay_seconds} s" for send in planned_sends(member, TEST_PAGE_PRIORITY))
        self.stdout.write(f"Test page {test_page.id} queued for {member.name}: {methods}.")
        self.stdout.write("It is sent by the running engine (`oohdesk serve` or `oohdesk engine`).")
