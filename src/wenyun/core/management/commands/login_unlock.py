from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError
from wenyun.core.services import login_lock_lift, login_locks


class Command(BaseCommand):
    help = (
        "Lift a sign-in lock (wrong passwords or PINs): wenyun login-unlock NAME [--card | --kiosk] "
        "[--address IP]; without NAME, list the accounts locked now."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "name", nargs="?", default="", help="a staff username, a card number or a kiosk login"
        )
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument("--card", action="store_true", help="NAME is a reader card (portal and kiosk PINs)")
        kind.add_argument("--kiosk", action="store_true", help="NAME is a kiosk login (SIP2)")
        parser.add_argument("--address", default=None, help="lift only the failures from this address")

    def handle(self, *args, name, card, kiosk, address, **options):
        if not name:
            for lock in login_locks():
                where = lock["address"] or _("every address")
                self.stdout.write(
                    f"{lock['account']}\t{where}\t{lock['failures']}\t{lock['last']:%Y-%m-%d %H:%M}"
                )
            return
        account = f"card:{name}" if card else f"sip2:{name}" if kiosk else name
        try:
            forgotten = login_lock_lift(actor=None, username=account, ip=address)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            _("%(account)s: %(count)d failed sign-ins forgotten.") % {"account": account, "count": forgotten}
        )
