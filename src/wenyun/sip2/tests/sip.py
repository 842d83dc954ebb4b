"""Building kiosk messages in the tests, by hand, so the tests do not trust the codec they test."""

from __future__ import annotations

STAMP = "20261127    100000"


def login_message(name: str, password: str, location: str = "") -> bytes:
    return f"9300CN{name}|CO{password}|CP{location}|\r".encode()


def msg(text: str, *, encoding: str = "utf-8") -> bytes:
    return (text + "\r").encode(encoding)


def patron_information(
    card: str, pin: str | None = "1234", summary: str = "          ", language: str = "019"
) -> bytes:
    pin_field = f"AD{pin}|" if pin is not None else ""
    return msg(f"63{language}{STAMP}{summary}AOYX|AA{card}|{pin_field}")


def checkout(card: str, barcode: str, pin: str | None = "1234", renewal_policy: str = "N") -> bytes:
    pin_field = f"AD{pin}|" if pin is not None else ""
    return msg(f"11{renewal_policy}N{STAMP}{' ' * 18}AOYX|AA{card}|AB{barcode}|AC|{pin_field}")


def checkin(barcode: str) -> bytes:
    return msg(f"09N{STAMP}{STAMP}APYX-S01|AOYX|AB{barcode}|AC|")


def renew(card: str, barcode: str, pin: str = "1234") -> bytes:
    return msg(f"29NN{STAMP}{' ' * 18}AOYX|AA{card}|AD{pin}|AB{barcode}|")


def answer(data: bytes | None, encoding: str = "utf-8"):
    """An answer parsed (the codec's parsing of answers is itself tested on hand-written bytes)."""
    from wenyun.sip2.codec import parse

    assert data is not None, "the server sent nothing"
    return parse(data, encoding=encoding, requests_only=False)
