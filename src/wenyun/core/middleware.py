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
