"""Accounts: API tokens and the failed-login throttle."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import Forbidden, NotFound

from .models import ApiToken, FailedLogin, User


def api_token_create(*, username: str, name: str = "") -> tuple[ApiToken, str]:
    """A new token for the user; the plain token is returned once and never stored."""
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist:
        raise NotFound(
            _("There is no account named %(name)s.") % {"name": username}, code="user_not_found"
        ) from None
    if not user.is_staff_member:
        raise Forbidden(
            _("%(name)s is not a staff account; API tokens are for staff.") % {"name": username},
            code="not_staff",
        )
    token = ApiToken.new_token()
    row = ApiToken.objects.create(user=user, name=name, prefix=token[:8], digest=ApiToken.digest_of(token))
    return row, token


def api_token_authenticate(*, token: str) -> User | None:
    row = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    # Written at most once a minute: a busy kiosk integration should not turn every read into a write.
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def login_throttled(*, username: str, ip: str | None) -> bool:
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    failures = FailedLogin.objects.filter(username=username.lower(), at__gte=since).count()
    return failures >= settings.LOGIN_FAILURE_LIMIT


@transaction.atomic
def login_failure_record(*, username: str, ip: str | None) -> None:
    FailedLogin.objects.create(username=username.lower(), ip=ip, at=timezone.now())


@transaction.atomic
def login_success_record(*, username: str) -> None:
    FailedLogin.objects.filter(username=username.lower()).delete()
