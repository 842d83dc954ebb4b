"""The JSON API under /api/v1/: one NinjaAPI, each app contributing its router from `<app>/api.py`.

Authentication is a staff bearer token (`wenyun api-token create USERNAME`), or the browser session
for the pages' own htmx calls. Every error is HTTP 4xx with {"error": CODE, "message": TEXT}.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from .api_types import errors
from .errors import DomainError
from .services import api_token_authenticate

logger = logging.getLogger("wenyun.api")


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(token=token)
        if user is None or not user.is_staff_member:
            return None
        request.user = user
        return user


class StaffSession(SessionAuth):
    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_staff_member else None


api = NinjaAPI(
    title="Wenyun API",
    version="1",
    description="The county's public cultural service platform: network, catalogue, circulation, "
    "activities, workforce, statistics and the acceptance ledger.",
    urls_namespace="api",
    auth=[BearerToken(), StaffSession()],
)

# (URL prefix, app, router attribute in <app>/api.py) in schema order; a missing module or router is skipped.
ROUTERS = [
    ("network/", "network", "router"),
    ("catalog/", "catalog", "router"),
    ("items/", "catalog", "items_router"),
    ("", "circulation", "router"),
    ("acquisitions/", "acquisitions", "router"),
    ("", "programs", "router"),
    ("volunteers/", "volunteers", "router"),
    ("workforce/", "workforce", "router"),
    ("stats/", "stats", "router"),
    ("ledger", "ledger", "router"),
]

for prefix, app, attribute in ROUTERS:
    module_name = f"wenyun.{app}.api"
    if importlib.util.find_spec(module_name) is not None:
        router = getattr(importlib.import_module(module_name), attribute, None)
        if router is not None:
            api.add_router(prefix, router)


class MeOut(Schema):
    username: str
    name: str
    role: str
    unit: str | None


@api.get(
    "me",
    response={200: MeOut, **errors(401)},
    tags=["accounts"],
    summary="The staff account the token belongs to",
)
def me(request):
    user = request.auth
    return MeOut(
        username=user.username, name=str(user), role=user.role, unit=user.unit.code if user.unit else None
    )


def error_body(code: str, message: str) -> dict:
    return {"error": code, "message": message}


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, error_body(exc.code, exc.message), status=exc.status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(
        request,
        error_body("unauthenticated", _("Send a staff token: Authorization: Bearer TOKEN.")),
        status=401,
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body("not_found", str(exc) or _("Not found.")), status=404)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return api.create_response(request, error_body("http_error", str(exc)), status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(
        str(part) for part in first.get("loc", []) if part not in ("body", "query", "path", "payload")
    )
    message = _("%(field)s: %(problem)s") % {"field": where or _("request"), "problem": _problem(first)}
    return api.create_response(request, error_body("invalid", message), status=400)


def _problem(error: dict) -> str:
    """pydantic's complaint in the asker's language, for the kinds a well-formed request can make."""
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "missing":
        return _("this is required.")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        limit = ctx.get("ge", ctx.get("gt", ctx.get("le", ctx.get("lt"))))
        return {
            "greater_than_equal": _("must be %(limit)s or more."),
            "greater_than": _("must be more than %(limit)s."),
            "less_than_equal": _("must be %(limit)s or less."),
            "less_than": _("must be less than %(limit)s."),
        }[kind] % {"limit": limit}
    if kind == "string_too_long":
        return _("at most %(limit)s characters.") % {"limit": ctx.get("max_length")}
    if kind == "string_pattern_mismatch":
        return _("not in the expected form.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("must be a whole number.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("must be a date, YYYY-MM-DD.")
    if kind.startswith("decimal"):
        return _("must be an amount in yuan with at most two decimals.")
    if kind.startswith("bool"):
        return _("must be true or false.")
    return str(error.get("msg", ""))


@api.exception_handler(Exception)
def on_unexpected_error(request, exc: Exception):
    """A fault of ours: logged with its traceback, answered in the API's error shape, never as a page."""
    logger.exception("API %s %s failed", request.method, request.path)
    return api.create_response(
        request,
        error_body("server_error", _("Something went wrong on the server; it has been logged.")),
        status=500,
    )
