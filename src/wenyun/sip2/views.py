"""Staff pages for kiosk accounts: list, add, disable or enable, change the password."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenyun.core.errors import DomainError
from wenyun.core.web import staff_required
from wenyun.network.access import access_unit, units_visible_to

from . import services
from .access import access_kiosk_account, kiosk_accounts_visible_to, require_kiosk_staff
from .forms import KioskAccountForm, KioskPasswordForm


@staff_required
def accounts(request: HttpRequest) -> HttpResponse:
    require_kiosk_staff(request.user)
    units = units_visible_to(request.user).filter(active=True).order_by("code")
    form = KioskAccountForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = access_unit(request.user, data["unit"], for_change=True)
            account = services.kiosk_account_add(
                name=data["name"],
                password=data["password"],
                institution=data["institution"],
                unit_code=unit.code,
                encoding=data["encoding"],
                patron_pin_required=data["patron_pin_required"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Kiosk login %(name)s added for %(unit)s.")
                % {"name": account.name, "unit": account.unit.display_name},
            )
            return redirect("sip2:accounts")
    return render(
        request,
        "sip2/accounts.html",
        {
            "title": _("Kiosk accounts"),
            "accounts": kiosk_accounts_visible_to(request.user),
            "form": form,
            "password_form": KioskPasswordForm(),
        },
    )


@staff_required
@require_POST
def account_active(request: HttpRequest, name: str) -> HttpResponse:
    account = access_kiosk_account(request.user, name)
    active = request.POST.get("active") == "1"
    services.kiosk_account_set_active(name=account.name, active=active)
    if active:
        messages.success(request, _("Kiosk login %(name)s enabled.") % {"name": account.name})
    else:
        messages.success(
            request, _("Kiosk login %(name)s disabled: it can no longer log in.") % {"name": account.name}
        )
    return redirect("sip2:accounts")


@staff_required
@require_POST
def account_password(request: HttpRequest, name: str) -> HttpResponse:
    account = access_kiosk_account(request.user, name)
    form = KioskPasswordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new password."))
        return redirect("sip2:accounts")
    try:
        services.kiosk_account_set_password(name=account.name, password=form.cleaned_data["password"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Kiosk login %(name)s has a new password.") % {"name": account.name})
    return redirect("sip2:accounts")
