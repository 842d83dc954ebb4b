from django.core.management.base import BaseCommand, CommandError

from wenyun.core.errors import DomainError
from wenyun.core.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a staff account: wenyun api-token create USERNAME."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, action, username, name, **options):
        try:
            _row, token = api_token_create(username=username, name=name)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(token)
