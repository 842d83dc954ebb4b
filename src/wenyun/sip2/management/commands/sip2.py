import asyncio
import gc

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wenyun.sip2.server import Sip2Server, limits_from_settings, tls_context


class Command(BaseCommand):
    help = "The SIP2 server for self-check kiosks and book drops: wenyun sip2 [--host H] [--port 6001]."

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for the network)"
        )
        parser.add_argument("--port", type=int, default=6001)

    def handle(self, *args, host, port, **options):
        cert, key = settings.SIP2_TLS_CERT, settings.SIP2_TLS_KEY
        context = None
        if bool(cert) != bool(key):
            raise CommandError(
                "TLS needs both WENYUN_SIP2_TLS_CERT and WENYUN_SIP2_TLS_KEY; only one of them is set."
            )
        if cert:
            try:
                context = tls_context(cert, key)
            except (OSError, ValueError) as exc:
                raise CommandError(
                    f"The TLS certificate {cert} or key {key} cannot be used: {exc}."
                ) from None
        server = Sip2Server(host=host, port=port, limits=limits_from_settings(), ssl_context=context)

        async def main() -> None:
            try:
                await server.start()
            except OSError as exc:
                raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror}.") from None
            # What was loaded to start (Django, the apps) stays for good: the collector need not walk it.
            gc.freeze()
            db = settings.DATABASES["default"]
            self.stdout.write(
                f"Wenyun SIP2 listening on {host}:{server.port}{' (TLS)' if context else ''} "
                f"on {db['ENGINE'].rsplit('.', 1)[-1]}; Ctrl-C stops it."
            )
            self.stdout.flush()
            await server.serve_forever()

        asyncio.run(main())
