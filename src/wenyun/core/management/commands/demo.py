from django.core.management import call_command
from django.core.management.base import BaseCommand

from wenyun.core.demo import demo_build


class Command(BaseCommand):
    help = "Migrate, build the demo county once (running it again changes nothing), and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="build the demo county and stop")
        parser.add_argument("--scale", type=float, default=1.0, help="make the county larger (benchmarks)")

    def handle(self, *args, port, host, no_serve, scale, **options):
        if scale <= 0:
            from django.core.management.base import CommandError

            raise CommandError("--scale must be greater than 0.")
        call_command("migrate", interactive=False, verbosity=0)
        logins = demo_build(scale=scale, out=lambda text: self.stderr.write(text))
        self.stdout.write(
            f"The demo county is ready at http://{host}:{port}/ — staff log in at /login/ with:"
        )
        width = max((len(login["username"]) for login in logins), default=8)
        for login in logins:
            self.stdout.write(
                f"  {login['username']:<{width}}  {login['password']}  {login['role']:<18} {login['unit']}"
            )
        if not no_serve:
            call_command("serve", host=host, port=port)
