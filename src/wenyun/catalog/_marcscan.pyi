from collections.abc import Callable
from typing import Any

def scan(
    chunk: bytes,
    base: int,
    mask: bytes | None,
    others: frozenset[bytes] | None,
    field_type: Callable[..., Any],
) -> list[Any] | None: ...
