"""Small helpers the staff pages share."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def staff_required(view):
    """The page is for staff; readers and visitors are sent to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff_member:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def done(request, call, success: str) -> bool:
    """Run a service call for a page: its refusal becomes the page's error message, else `success`."""
    from django.contrib import messages

    from .errors import DomainError

    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def home_unit(request):
    """The unit a staff member works for; the county's root for a county administrator without one."""
    from wenyun.network.selectors import unit_root

    return request.user.unit if request.user.unit_id else unit_root()


def or_404(fetch, *args, **kwargs):
    """What an access helper or selector fetches; its NotFound is this page's 404 (another unit's row
    looks absent)."""
    from django.http import Http404

    from .errors import NotFound

    try:
        return fetch(*args, **kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from None


def form_id(value: str | None) -> int:
    """A row's id as sent by a form; anything else (text, a float, nothing) matches no row."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else 0
