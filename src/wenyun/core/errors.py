"""Errors a service raises when a request cannot be carried out.

Each carries a stable code (for the API's {"error": CODE}) and one sentence for the person who
asked, naming what is wrong. Views, API handlers, SIP2 handlers and commands render them; none of
them invents its own wording for a refusal that a service already explains.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class Refused(DomainError):
    """A rule says no (a blocked card, a loan limit, a clashing booking): the request was fine."""

    code = "refused"
    status = 409
