from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .errors import DomainError
from .web import staff_required


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing an account after too many recent wrong passwords."""

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        ip = client_ip(self.request) if self.request else None
        lock = services.login_lock(username=username, ip=ip) if username else None
        if lock == services.LOCK_ADDRESS:
            raise forms.ValidationError(services.login_address_refusal(), code="throttled")
        if lock is not None:
            raise forms.ValidationError(
                _("Too many wrong passwords for this account. Wait 15 minutes and try again."),
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                services.login_failure_record(username=username, ip=ip)
            raise
        services.login_success_record(username=username, ip=ip)
        return cleaned


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "core/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": gettext_lazy("Staff login")}


def healthz(request: HttpRequest) -> HttpResponse:
    """A bare view: monitoring pings it, and `wenyun bench pages` measures the framework floor with it."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """Where staff land after logging in: the links of their role, and their unit."""
    if not request.user.is_staff_member:
        return redirect("portal:home")
    return render(request, "core/workbench.html", {"title": _("Workbench")})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)

    def get_success_url(self):
        from django.urls import reverse

        return reverse("core:workbench")


@staff_required
def accounts(request: HttpRequest) -> HttpResponse:
    from wenyun.network.access import units_visible_to

    from .forms import AccountForm
    from .selectors import accounts_visible_to

    form = AccountForm(
        request.POST or None, units=units_visible_to(request.user).order_by("code"), actor=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Account %(name)s created.") % {"name": account.username})
            return redirect("core:accounts")
    return render(
        request,
        "core/accounts.html",
        {"title": _("Staff accounts"), "accounts": accounts_visible_to(request.user), "form": form},
    )


@staff_required
def account_edit(request: HttpRequest, username: str) -> HttpResponse:
    from django.http import Http404

    from wenyun.network.access import units_visible_to

    from .forms import AccountForm
    from .selectors import accounts_visible_to

    account = accounts_visible_to(request.user).filter(username=username).first()
    if account is None:
        raise Http404
    initial = {
        "display_name": account.display_name,
        "role": account.role,
        "unit": account.unit,
        "is_active": account.is_active,
    }
    form = AccountForm(
        request.POST or None,
        initial=initial,
        editing=True,
        units=units_visible_to(request.user).order_by("code"),
        actor=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(actor=request.user, user=account, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("core:accounts")
    return render(
        request, "core/account_edit.html", {"title": account.username, "account": account, "form": form}
    )
