from django.core.management.base import BaseCommand, CommandError

from wenyun.core import bench


class Command(BaseCommand):
    help = "Run the benchmarks, each printed beside the bare limit it is measured against."

    def add_arguments(self, parser):
        parser.add_argument(
            "names", nargs="*", help=f"some of: {', '.join(bench.ORDER)} (default: all there are)"
        )
        parser.add_argument("--json", action="store_true", help="one JSON object per line")
        parser.add_argument("--scale", type=float, default=1.0, help="size of the generated county")

    def handle(self, *args, names, json, scale, **options):
        if scale <= 0:
            raise CommandError("--scale must be greater than 0.")
        present = bench.available()
        unknown = [n for n in names if n not in present]
        if unknown:
            raise CommandError(
                f"No benchmark named {', '.join(unknown)}; there are: {', '.join(present) or 'none yet'}."
            )
        if not json:
            self.stdout.write(
                f"{'bench':<12} {'metric':<34} {'value':>12} {'unit':<10} | bare limit, same run"
            )
        bench.run(names or present, scale=scale, as_json=json, out=self.stdout.write)
