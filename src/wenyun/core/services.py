"""Accounts: API tokens and the failed-login throttle."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import Conflict, DomainError, Forbidden, NotFound

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


# Sign-in throttles, as well-kept login throttles count: wrong passwords (or PINs) per account and
# address together lock that pair after LOGIN_FAILURE_LIMIT; per account alone the limit is looser
# (LOGIN_ACCOUNT_FAILURE_LIMIT), so five tries from elsewhere cannot lock the library desk out; per
# address across accounts LOGIN_ADDRESS_FAILURE_LIMIT stops one address trying many accounts. All
# within LOGIN_FAILURE_WINDOW_SECONDS. The counts are FailedLogin rows (the database every process
# shares); their keys say the realm: a staff username (never with ":"), "card:<card>" (portal and
# kiosk PINs), "sip2:<kiosk login>". (django-axes counts Django's own authentication only, with one
# limit for every combination; the card + PIN and SIP2 logins would sit beside it, not in it.)
LOCK_ACCOUNT = "account"
LOCK_ADDRESS = "address"
_REALM_PREFIXES = ("card:", "sip2:")


FAILED_LOGIN_KEY_LENGTH = 150  # FailedLogin.username's max_length


def _key(username: str) -> str:
    """The account's key in the failure table: lower case, and a name longer than the column (no
    account has one, but a guesser may send it) shortened to a digest so its tries still count."""
    key = username.strip().lower()
    if len(key) <= FAILED_LOGIN_KEY_LENGTH:
        return key
    return key[:100] + "#" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _recent_failures():
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return FailedLogin.objects.filter(at__gte=since)


def _same_realm(username: str):
    from django.db.models import Q

    for prefix in _REALM_PREFIXES:
        if username.startswith(prefix):
            return Q(username__startswith=prefix)
    return ~Q(username__contains=":")


def login_lock(*, username: str, ip: str | None, per_address: bool = True) -> str | None:
    """Why a sign-in to this account from this address is refused now (LOCK_ACCOUNT or LOCK_ADDRESS),
    or None when it may be tried. `per_address=False` for the PINs kiosks check: a kiosk's address is
    one device many readers use, not a guesser."""
    key = _key(username)
    recent = _recent_failures()
    if recent.filter(username=key, ip=ip).count() >= settings.LOGIN_FAILURE_LIMIT:
        return LOCK_ACCOUNT
    if recent.filter(username=key).count() >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
        return LOCK_ACCOUNT
    if (
        per_address
        and ip
        and recent.filter(_same_realm(key), ip=ip).count() >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
    ):
        return LOCK_ADDRESS
    return None


def login_throttled(*, username: str, ip: str | None) -> bool:
    return login_lock(username=username, ip=ip) is not None


def login_address_refusal() -> str:
    return _("Too many failed sign-ins from this address. Wait 15 minutes and try again.")


@transaction.atomic
def login_failure_record(*, username: str, ip: str | None) -> None:
    FailedLogin.objects.create(username=_key(username), ip=ip, at=timezone.now())


@transaction.atomic
def login_success_record(*, username: str, ip: str | None = None, everywhere: bool = False) -> None:
    """A right password from this address clears that address's failures for the account, not those
    from elsewhere (which count toward the account's own limit until they age out)."""
    rows = FailedLogin.objects.filter(username=_key(username))
    if not everywhere:
        rows = rows.filter(ip=ip)
    rows.delete()


def login_locks() -> list[dict]:
    """The accounts locked now: {account, address (None: from everywhere), failures, last}."""
    from django.db.models import Count, Max

    recent = _recent_failures()
    locks: list[dict] = []
    for row in recent.values("username", "ip").annotate(n=Count("id"), last=Max("at")).order_by("-last"):
        if row["n"] >= settings.LOGIN_FAILURE_LIMIT:
            locks.append(
                {"account": row["username"], "address": row["ip"], "failures": row["n"], "last": row["last"]}
            )
    for row in recent.values("username").annotate(n=Count("id"), last=Max("at")).order_by("-last"):
        if row["n"] >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
            locks.append(
                {"account": row["username"], "address": None, "failures": row["n"], "last": row["last"]}
            )
    return locks


@transaction.atomic
def login_lock_lift(*, actor: User | None, username: str, ip: str | None = None) -> int:
    """Lift a sign-in lock: forget the account's recent failures (from one address, or from all).
    A county administrator's action (actor None: the server's operator, through `wenyun login-unlock`).
    Returns how many failures were forgotten."""
    if actor is not None and not actor.is_county_admin:
        raise Forbidden(_("Only a county administrator may lift a sign-in lock."), code="unlock_forbidden")
    key = _key(username)
    if not key:
        raise DomainError(_("Name the account or card whose lock is to be lifted."), code="unlock_invalid")
    rows = FailedLogin.objects.filter(username=key)
    if ip:
        rows = rows.filter(ip=ip)
    forgotten, _deleted = rows.delete()
    return forgotten


# Who may hand out which role: a county administrator any; a station manager or institution staff
# the roles below theirs, for units within their own subtree.
ROLE_RANK = {
    "county_admin": 3,
    "institution_staff": 2,
    "station_manager": 2,
    "village_manager": 1,
    "reader": 0,
}


def _require_account_manager(actor: User, *, role: str, unit) -> None:
    from wenyun.network.access import user_can_manage_unit

    if role not in ROLE_RANK:
        raise DomainError(_("%(role)s is not a role.") % {"role": role}, code="role_invalid")
    if actor.is_county_admin:
        return
    if (
        ROLE_RANK.get(actor.role, 0) <= ROLE_RANK[role]
        or unit is None
        or not user_can_manage_unit(actor, unit)
    ):
        raise Forbidden(_("You may not give this role for this unit."), code="account_forbidden")


@transaction.atomic
def account_create(
    *, actor: User, username: str, display_name: str, role: str, unit, password: str, phone: str = ""
) -> User:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    _require_account_manager(actor, role=role, unit=unit)
    username = (username or "").strip()
    if not username:
        raise DomainError(_("An account needs a username."), code="account_invalid")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("The username %(name)s is taken.") % {"name": username}, code="username_taken")
    if role != "reader" and unit is None:
        raise DomainError(_("A staff account needs a unit."), code="account_invalid")
    user = User(username=username, display_name=display_name.strip(), role=role, unit=unit, phone=phone)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="password_invalid") from None
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def account_update(*, actor: User, user: User, role: str, unit, is_active: bool, display_name: str) -> User:
    _require_account_manager(actor, role=user.role, unit=user.unit)
    _require_account_manager(actor, role=role, unit=unit)
    if user.pk == actor.pk and (not is_active or role != user.role):
        raise DomainError(
            _("You cannot change your own role or disable your own account."), code="account_self"
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    user.role, user.unit, user.is_active, user.display_name = role, unit, is_active, display_name.strip()
    user.save(update_fields=["role", "unit", "is_active", "display_name"])
    return user
