from django.core.management.base import BaseCommand, CommandError

from wenyun.core.errors import DomainError
from wenyun.sip2.models import Encoding
from wenyun.sip2.selectors import kiosk_account_list
from wenyun.sip2.services import kiosk_account_add, kiosk_account_set_active, kiosk_account_set_password


class Command(BaseCommand):
    help = (
        "Kiosk logins for the SIP2 server: wenyun sip2-account add NAME --password P --institution ID "
        "--unit UNIT [--encoding utf-8|gb18030] [--no-pin]; list; disable NAME; enable NAME; "
        "password NAME --password P."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a kiosk login")
        add.add_argument("name")
        add.add_argument("--password", required=True)
        add.add_argument("--institution", required=True, help="the institution id (AO) the kiosk sends")
        add.add_argument("--unit", required=True, help="code of the unit the kiosk stands in")
        add.add_argument("--encoding", default=Encoding.UTF8, choices=Encoding.values)
        add.add_argument(
            "--no-pin", action="store_true", help="readers need not enter a PIN (a book drop, a staff kiosk)"
        )
        sub.add_parser("list", help="list kiosk logins")
        for name in ("disable", "enable"):
            one = sub.add_parser(name, help=f"{name} a kiosk login")
            one.add_argument("name")
        new = sub.add_parser("password", help="give a kiosk login a new password")
        new.add_argument("name")
        new.add_argument("--password", required=True)

    def handle(self, *args, action, **options):
        try:
            if action == "add":
                account = kiosk_account_add(
                    name=options["name"],
                    password=options["password"],
                    institution=options["institution"],
                    unit_code=options["unit"],
                    encoding=options["encoding"],
                    patron_pin_required=not options["no_pin"],
                )
                self.stdout.write(
                    f"Kiosk login {account.name} added for {account.unit.code} {account.unit.name}."
                )
            elif action == "list":
                for account in kiosk_account_list():
                    self.stdout.write(
                        f"{account.name}\t{account.unit.code}\t{account.institution}\t{account.encoding}\t"
                        f"{'pin' if account.patron_pin_required else 'no-pin'}\t"
                        f"{'active' if account.active else 'disabled'}"
                    )
            elif action == "password":
                account = kiosk_account_set_password(name=options["name"], password=options["password"])
                self.stdout.write(f"Kiosk login {account.name} has a new password.")
            else:
                account = kiosk_account_set_active(name=options["name"], active=action == "enable")
                self.stdout.write(f"Kiosk login {account.name} {action}d.")
        except DomainError as exc:
            raise CommandError(exc.message) from None
