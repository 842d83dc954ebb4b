from django.conf import settings
from django.core.management.base import BaseCommand
from waitress import serve  # type: ignore[import-untyped]

from wenyun.core.env import envint
from wenyun.core.signals import serving


class Command(BaseCommand):
    help = "Serve the web application (portal, staff pages, API) with waitress."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=envint("WENYUN_WEB_THREADS", 8))

    def handle(self, *args, host, port, threads, **options):
        from django.core.management import call_command

        # Static files under hashed names with gzip copies (core/staticfiles.py), fresh for this code;
        # before the application loads, as whitenoise lists the collected files when it starts.
        call_command("collectstatic", interactive=False, verbosity=0)
        from wenyun.wsgi import application

        db = settings.DATABASES["default"]
        self.stdout.write(
            f"Wenyun serving http://{host}:{port}/ on {db['ENGINE'].rsplit('.', 1)[-1]} "
            f"({db['NAME']}); Ctrl-C stops it."
        )
        self.stdout.flush()
        serving.send(sender=self.__class__)
        serve(application, host=host, port=port, threads=threads, ident="wenyun", channel_timeout=60)
