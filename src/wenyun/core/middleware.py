import json

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import DomainError


class DomainErrorMiddleware:
    """A service's refusal that a page did not handle itself becomes a page saying why, with its status.

    Under /api/ every error is JSON {error, message}: the API's own handlers answer so, and what
    reaches no handler of the API (an unknown address, a method the address does not take, a fault
    outside the API's views) is answered so here, with its status.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and response.status_code >= 400 and not _is_json(response):
            return _api_error(request, response)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(
                request,
                "core/refused.html",
                {"message": exception.message, "code": exception.code},
                status=exception.status,
            )
        return None


class ContentSecurityPolicyMiddleware:
    """Send settings.CONTENT_SECURITY_POLICY with every response that has none of its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _api_error(request, response) -> JsonResponse:
    status = response.status_code
    if status == 404:
        body = {"error": "not_found", "message": _("There is nothing at this address of the API.")}
    elif status == 405:
        body = {
            "error": "method_not_allowed",
            "message": _("%(method)s is not allowed here; this address takes %(allowed)s.")
            % {"method": request.method, "allowed": response.get("Allow", "")},
        }
    elif status >= 500:
        body = {
            "error": "server_error",
            "message": _("Something went wrong on the server; it has been logged."),
        }
    else:
        body = {"error": "http_error", "message": response.reason_phrase}
    answer = JsonResponse(body, status=status, content_type="application/json; charset=utf-8")
    if response.has_header("Allow"):
        answer["Allow"] = response["Allow"]
    return answer


def _without_nul(params):
    if not any("\x00" in value for values in params.lists() for value in values[1]):
        return params
    cleaned = params.copy()
    for key, values in params.lists():
        cleaned.setlist(key, [value.replace("\x00", "") for value in values])
    cleaned._mutable = False
    return cleaned


def _json_without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_json_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_json_without_nul(key): _json_without_nul(item) for key, item in value.items()}
    return value


class NulCharactersMiddleware:
    """NUL characters are dropped from query strings, form fields and JSON bodies: nobody types one,
    SQLite keeps them and PostgreSQL refuses them (a server error), so input reads the same on both."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _without_nul(request.GET)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            request.POST = _without_nul(request.POST)
        elif request.content_type == "application/json" and b"\\u0000" in request.body:
            try:
                document = json.loads(request.body)
            except ValueError:
                pass  # not JSON: the API says so itself
            else:
                request._body = json.dumps(_json_without_nul(document)).encode()
        return self.get_response(request)
