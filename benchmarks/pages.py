"""Page server time under 20 concurrent clients on loopback, beside a bare Django view in the same run.

The portal's front page and the staff network tree are served by `wenyun serve` (waitress, 8
threads) on the benchmark database; the bare limit is /healthz, a view that returns "ok" through the
same middleware and server.
"""

from __future__ import annotations

from wenyun.core.bench import BenchContext, Measurement, Server, http_load

CLIENTS = 20


def _staff_cookie() -> str:
    from django.conf import settings
    from django.test import Client

    from wenyun.core.models import User

    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def run(ctx: BenchContext) -> list[Measurement]:
    ctx.ensure_demo()
    cookie = _staff_cookie()
    per_client = 15
    results = []
    with Server(threads=8) as server:
        http_load(port=server.port, path="/healthz", clients=4, requests_per_client=10)  # warm up
        bare = http_load(
            port=server.port, path="/healthz", clients=CLIENTS, requests_per_client=per_client * 2
        )
        pages = {
            "portal /": ("/", ""),
            "network tree /staff/network/": ("/staff/network/", cookie),
        }
        for label, (path, cookies) in pages.items():
            http_load(port=server.port, path=path, clients=2, requests_per_client=3, cookies=cookies)
            got = http_load(
                port=server.port, path=path, clients=CLIENTS, requests_per_client=per_client, cookies=cookies
            )
            for metric, unit in (("p50_ms", "ms"), ("p95_ms", "ms")):
                results.append(
                    Measurement(
                        "pages",
                        f"{label} {metric[:3]}",
                        got[metric],
                        unit,
                        f"bare view /healthz {metric[:3]}",
                        bare[metric],
                    )
                )
            results.append(
                Measurement(
                    "pages",
                    f"{label} throughput",
                    got["rps"],
                    "req/s",
                    "bare view /healthz throughput",
                    bare["rps"],
                    higher_is_better=True,
                )
            )
    return results
